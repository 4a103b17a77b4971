/**
 * `npm run bench:rl`: the reinforcement-learning stack's speed: vectorised environment steps/s
 * (no network), the engine-backed environment for reference, PPO training steps/s, and the
 * latency of one live decision (features + policy) per bar, p50/p99.
 * Options: --env-steps N (vectorised steps, default 5,000,000), --train-steps N (default 8192).
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { barAt } from "@/lib/core/data/bars";
import { parseOhlcvCsv } from "@/lib/core/data/csv";
import { defineInstrument } from "@/lib/core/model/instrument";
import { envConfigSchema } from "@/lib/core/rl/config";
import { prepareMarket, TradingEnv } from "@/lib/core/rl/env";
import { featureSpecFor, OBSERVATION_SIZE } from "@/lib/core/rl/features";
import { RL_MODEL_FORMAT, parseRlModel } from "@/lib/core/rl/model";
import { RlPolicyStrategy } from "@/lib/core/rl/policy-strategy";
import { createRng } from "@/lib/core/rl/random";
import { VectorTradingEnv } from "@/lib/core/rl/vector-env";
import type { StrategyContext } from "@/lib/core/strategies/types";
import { PpoTrainer } from "@/lib/rl/ppo";

const FIXTURE = new URL("../test/fixtures/prices/fb-daily-2012-2014.csv", import.meta.url);
const bars = parseOhlcvCsv(readFileSync(FIXTURE, "utf8"), { source: "fb-daily-2012-2014.csv" });
const instrument = defineInstrument({ symbol: "FB" });
const config = envConfigSchema.parse({ commission: { kind: "ibkr-fixed" }, slippageBps: 2, episodeLength: 64 });
const market = prepareMarket(bars, config);

function numberFlag(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} takes a positive whole number`);
  return value;
}

function randomActions(count: number): Int32Array {
  const rng = createRng(7);
  return Int32Array.from({ length: count }, () => Math.floor(rng.uniform() * 3));
}

function vectorEnvRate(totalSteps: number, copies: number, noise: number): number {
  const env = new VectorTradingEnv(market, instrument, copies, { ...config, observationNoise: noise }, 1);
  const observations = new Float32Array(copies * OBSERVATION_SIZE);
  const rewards = new Float32Array(copies);
  const dones = new Uint8Array(copies);
  const actions = randomActions(copies * 1024);
  env.reset(observations);
  const calls = Math.ceil(totalSteps / copies);
  for (let warm = 0; warm < 2000; warm++) env.step(actions.subarray((warm % 1024) * copies, (warm % 1024 + 1) * copies), observations, rewards, dones);
  const started = performance.now();
  for (let call = 0; call < calls; call++) {
    const row = call % 1024;
    env.step(actions.subarray(row * copies, (row + 1) * copies), observations, rewards, dones);
  }
  return (calls * copies) / ((performance.now() - started) / 1000);
}

function referenceEnvRate(totalSteps: number): number {
  const env = new TradingEnv(bars, instrument, config, { market });
  const actions = randomActions(totalSteps);
  env.reset();
  const started = performance.now();
  for (let i = 0; i < totalSteps; i++) if (env.step(actions[i]).done) env.reset();
  return totalSteps / ((performance.now() - started) / 1000);
}

async function trainingRate(steps: number): Promise<{ rate: number; model: ReturnType<typeof parseRlModel> }> {
  const env = new VectorTradingEnv(market, instrument, 8, config, 1);
  const trainer = await PpoTrainer.create(env, {}, 1);
  trainer.train(1024);
  const before = trainer.stepsDone;
  const started = performance.now();
  trainer.train(steps);
  const rate = (trainer.stepsDone - before) / ((performance.now() - started) / 1000);
  const model = parseRlModel({ format: RL_MODEL_FORMAT, formatVersion: 1, featureSpec: featureSpecFor(bars), normalisation: market.normalisation, policy: trainer.policyWeights() });
  trainer.dispose();
  return { rate, model };
}

function decisionLatency(model: ReturnType<typeof parseRlModel>, rounds: number): { p50: number; p99: number; max: number; decisions: number } {
  const samples: number[] = [];
  const context: StrategyContext = { symbol: "FB", position: 0, entryPrice: NaN, stopPrice: NaN, entryPending: false, now: () => 0, submit: () => undefined };
  for (let round = 0; round < rounds; round++) {
    const strategy = new RlPolicyStrategy({ model });
    for (let i = 0; i < bars.length; i++) {
      const bar = barAt(bars, i);
      const started = performance.now();
      strategy.onBar(bar, context);
      const elapsed = performance.now() - started;
      if (round > 0 && !Number.isNaN(strategy.lastAction)) samples.push(elapsed * 1000);
    }
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { p50: at(0.5), p99: at(0.99), max: samples[samples.length - 1], decisions: samples.length };
}

async function main(): Promise<void> {
  const envSteps = numberFlag("--env-steps", 5_000_000);
  const trainSteps = numberFlag("--train-steps", 8192);
  const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
  console.log(`Kestrel RL benchmark, ${new Date().toISOString()}`);
  console.log(`Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, load average ${loadavg()[0].toFixed(2)}`);
  console.log(`Data: fb-daily-2012-2014.csv (${bars.length} bars), ${OBSERVATION_SIZE} features, IBKR fixed commission, 2 bp slippage, random actions\n`);
  console.log(`vectorised env, 64 copies, no noise      ${fmt(vectorEnvRate(envSteps, 64, 0)).padStart(12)} steps/s (single thread, target >= 200,000)`);
  console.log(`vectorised env, 64 copies, noise 0.05    ${fmt(vectorEnvRate(envSteps, 64, 0.05)).padStart(12)} steps/s`);
  console.log(`vectorised env, 1 copy                   ${fmt(vectorEnvRate(envSteps / 5, 1, 0)).padStart(12)} steps/s`);
  console.log(`engine-backed env (TradingEnv)           ${fmt(referenceEnvRate(200_000)).padStart(12)} steps/s`);
  const { rate, model } = await trainingRate(trainSteps);
  console.log(`PPO training (8 copies, 64x64 MLP, tfjs cpu) ${fmt(rate).padStart(8)} env steps/s (rollout + 4 epochs of updates)`);
  const latency = decisionLatency(model, 40);
  console.log(`live decision (features + policy), ${latency.decisions} decisions: p50 ${latency.p50.toFixed(1)} us, p99 ${latency.p99.toFixed(1)} us, max ${latency.max.toFixed(1)} us (target p99 < 1 ms)`);
  console.log(`load average after ${loadavg()[0].toFixed(2)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
