import type { z } from "zod";
import type { BarSeries } from "@/lib/core/data/bars";
import type { Instrument } from "@/lib/core/model/instrument";
import { envConfigSchema, type EnvConfigInput } from "@/lib/core/rl/config";
import { prepareMarket } from "@/lib/core/rl/env";
import { featureSpecFor, type Normalisation } from "@/lib/core/rl/features";
import { parseRlModel, RL_MODEL_FORMAT, type RlModel } from "@/lib/core/rl/model";
import { VectorTradingEnv } from "@/lib/core/rl/vector-env";
import { PpoTrainer, type EpisodeRecord, type ppoConfigSchema, type TrainingProgress } from "./ppo";

export interface TrainRequest {
  readonly bars: BarSeries;
  readonly instrument: Instrument;
  readonly steps: number;
  readonly seed: number;
  readonly env?: EnvConfigInput;
  readonly ppo?: z.input<typeof ppoConfigSchema>;
  /** Environment copies stepped together. */
  readonly copies?: number;
  /** Continue from this model (online update): its normalisation and weights are kept. */
  readonly from?: RlModel;
  readonly onProgress?: (progress: TrainingProgress) => void;
  readonly describe?: Record<string, unknown>;
}

export interface TrainResult {
  readonly model: RlModel;
  readonly episodes: readonly EpisodeRecord[];
}

/** Trains a policy on `bars` (the training span only: normalisation is fitted on it) and packages it as a model. */
export async function trainPolicy(request: TrainRequest): Promise<TrainResult> {
  const envConfig = envConfigSchema.parse({ ...request.env, ...(request.from ? { features: request.from.featureSpec.periods } : {}) });
  const normalisation: Normalisation | undefined = request.from?.normalisation;
  const market = prepareMarket(request.bars, envConfig, normalisation);
  const env = new VectorTradingEnv(market, request.instrument, request.copies ?? 8, envConfig, request.seed);
  const start = request.from ? { policy: request.from.policy, ...(request.from.value ? { value: request.from.value } : {}) } : undefined;
  const trainer = await PpoTrainer.create(env, request.ppo ?? {}, request.seed, start);
  try {
    trainer.train(request.steps, request.onProgress);
    const model = parseRlModel({
      format: RL_MODEL_FORMAT,
      formatVersion: 1,
      featureSpec: featureSpecFor(request.bars, envConfig.features),
      normalisation: market.normalisation,
      policy: trainer.policyWeights(),
      value: trainer.valueWeights(),
      training: {
        steps: trainer.stepsDone,
        seed: request.seed,
        bars: request.bars.length,
        from: request.bars.time[0],
        to: request.bars.time[request.bars.length - 1],
        env: envConfig,
        ppo: trainer.config,
        ...request.describe,
      },
    });
    return { model, episodes: trainer.episodes };
  } finally {
    trainer.dispose();
  }
}

export function curveCsv(episodes: readonly EpisodeRecord[]): string {
  return ["episode,steps,return", ...episodes.map((e) => `${e.episode},${e.steps},${e.return.toFixed(6)}`)].join("\n") + "\n";
}
