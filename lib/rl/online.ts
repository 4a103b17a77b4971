import type { BarSeries } from "@/lib/core/data/bars";
import type { Instrument } from "@/lib/core/model/instrument";
import type { EnvConfigInput } from "@/lib/core/rl/config";
import { evaluatePolicy } from "./evaluate";
import type { ModelStore } from "./model-store";
import { curveCsv, trainPolicy } from "./training";

export interface OnlineUpdateRequest {
  readonly store: ModelStore;
  readonly name: string;
  /** Recent bars: the update trains on them and both models are scored on them from `evaluateFrom`. */
  readonly bars: BarSeries;
  readonly evaluateFrom: number;
  readonly instrument: Instrument;
  readonly steps: number;
  readonly seed: number;
  readonly env?: EnvConfigInput;
  readonly now: Date;
}

export interface OnlineUpdateResult {
  readonly version: number;
  readonly accepted: boolean;
  readonly previousReturn: number;
  readonly updatedReturn: number;
}

/**
 * Fine-tunes the current model on recent bars and keeps the result as the new current version
 * only if it scores at least as well on them; otherwise it is stored as rejected.
 */
export async function onlineUpdate(request: OnlineUpdateRequest): Promise<OnlineUpdateResult> {
  const current = request.store.load(request.name);
  const score = (model: typeof current) => evaluatePolicy(model, request.bars, request.instrument, request.evaluateFrom, request.env).rows[0].metrics.totalReturn;
  const previousReturn = score(current);
  const { model, episodes } = await trainPolicy({ bars: request.bars, instrument: request.instrument, steps: request.steps, seed: request.seed, from: current, ...(request.env ? { env: request.env } : {}), describe: { onlineUpdateOf: request.store.manifest(request.name).current } });
  const updatedReturn = score(model);
  const accepted = updatedReturn >= previousReturn;
  const entry = request.store.save(request.name, model, {
    curveCsv: curveCsv(episodes),
    accepted,
    now: request.now,
    note: `online update: recent return ${(updatedReturn * 100).toFixed(2)}% vs ${(previousReturn * 100).toFixed(2)}% before`,
    evaluation: { previousReturn, updatedReturn },
  });
  return { version: entry.version, accepted, previousReturn, updatedReturn };
}
