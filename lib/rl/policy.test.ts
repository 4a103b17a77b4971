import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runBacktest } from "@/lib/core/backtest/run";
import { sliceSeries, type BarSeries } from "@/lib/core/data/bars";
import { parseOhlcvCsv } from "@/lib/core/data/csv";
import { perShareCommission } from "@/lib/core/model/commission";
import { defineInstrument } from "@/lib/core/model/instrument";
import { prepareMarket } from "@/lib/core/rl/env";
import { envConfigSchema } from "@/lib/core/rl/config";
import { MARKET_FEATURE_COUNT, OBSERVATION_SIZE } from "@/lib/core/rl/features";
import { parseRlModel, type RlModel } from "@/lib/core/rl/model";
import { RlPolicyStrategy } from "@/lib/core/rl/policy-strategy";
import { createStrategy } from "@/lib/core/strategies/registry";
import { evaluatePolicy, formatEvaluation } from "./evaluate";
import { ModelStore } from "./model-store";
import { onlineUpdate } from "./online";
import { curveCsv, trainPolicy } from "./training";

// Real daily prices: see test/fixtures/prices/README.md for the source and licence.
const FIXTURE = new URL("../../test/fixtures/prices/fb-daily-2012-2014.csv", import.meta.url);
const bars = parseOhlcvCsv(readFileSync(FIXTURE, "utf8"), { source: "fb-daily-2012-2014.csv" });
const instrument = defineInstrument({ symbol: "FB" });
const split = 320;
const training = sliceSeries(bars, 0, split);
const folder = mkdtempSync(join(tmpdir(), "kestrel-rl-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

let trained: Promise<{ model: RlModel; curve: string }> | undefined;
/** One short real training run shared by the tests below. */
function model(): Promise<{ model: RlModel; curve: string }> {
  trained ??= trainPolicy({ bars: training, instrument, steps: 2048, seed: 5, env: { episodeLength: 48 }, ppo: { hidden: [16, 16], rolloutSteps: 64 } }).then((result) => ({ model: result.model, curve: curveCsv(result.episodes) }));
  return trained;
}

function actionsOver(strategyModel: RlModel, series: BarSeries): number[] {
  const strategy = new RlPolicyStrategy({ model: strategyModel });
  const context = { symbol: "FB", position: 0, entryPrice: NaN, stopPrice: NaN, entryPending: false, now: () => 0, submit: () => undefined };
  const actions: number[] = [];
  for (let i = 0; i < series.length; i++) {
    strategy.onBar({ time: series.time[i], open: series.open[i], high: series.high[i], low: series.low[i], close: series.close[i], volume: series.volume[i] }, context);
    actions.push(strategy.lastAction);
  }
  return actions;
}

describe("RL policy models", () => {
  it("round-trips through the model store with identical actions on every bar", async () => {
    const { model: original, curve } = await model();
    const store = new ModelStore(folder);
    const entry = store.save("fb", original, { curveCsv: curve, now: new Date("2026-11-21T12:00:00Z") });
    const loaded = store.load("fb");
    expect(loaded).toEqual(original);
    const before = actionsOver(original, bars);
    expect(actionsOver(loaded, bars)).toEqual(before);
    expect(new Set(before.filter((action) => !Number.isNaN(action))).size).toBeGreaterThan(0);
    expect(store.curve("fb", entry.version).length).toBeGreaterThan(10);
    expect(loaded.featureSpec.barSeconds).toBe(86_400);
    expect(loaded.normalisation.mean).toHaveLength(MARKET_FEATURE_COUNT);
  }, 120_000);

  it("refuses a model whose feature spec does not match the data or this build, with a clear error", async () => {
    const { model: original } = await model();
    const fiveMinute: BarSeries = { ...bars, time: bars.time.map((_, i) => bars.time[0] + i * 300_000) };
    expect(() => evaluatePolicy(original, fiveMinute, instrument, fiveMinute.time[split])).toThrow(/trained on 1-day bars but the data has 5-minute bars/);
    expect(() => actionsOver(original, fiveMinute)).toThrow(/trained on 1-day bars but these are 5-minute bars/);
    const renamed = { ...original, featureSpec: { ...original.featureSpec, names: original.featureSpec.names.map((name, i) => (i === 3 ? "stochastic" : name)) } };
    expect(() => new RlPolicyStrategy({ model: renamed })).toThrow(/feature spec does not match.*stochastic/);
    expect(() => parseRlModel({ ...original, featureSpec: { ...original.featureSpec, names: original.featureSpec.names.slice(1) } })).toThrow(/the policy reads 18 inputs but the feature spec lists 17 features/);
    expect(() => parseRlModel({ ...original, format: "onnx" })).toThrow(/not a policy file/);
  }, 120_000);

  it("runs as an ordinary strategy in a backtest, built by name from the registry", async () => {
    const { model: original } = await model();
    const result = runBacktest({ bars, instrument, strategy: createStrategy("rl-policy", { model: original }), initialCapital: 100_000, fill: "close", commission: perShareCommission() });
    expect(result.curve.equity).toHaveLength(bars.length);
    for (const order of result.orders) expect(Number.isInteger(order.quantity)).toBe(true);
    expect(() => createStrategy("rl-policy", { model: { ...original, policy: undefined } })).toThrow(/policy/);
  }, 120_000);

  it("reports plainly against buy-and-hold and the golden cross on the held-out span", async () => {
    const { model: original } = await model();
    const evaluation = evaluatePolicy(original, bars, instrument, bars.time[split]);
    expect(evaluation.rows.map((row) => row.strategy)).toEqual(["rl-policy", "buy-and-hold", "golden-cross"]);
    const agent = evaluation.rows[0].metrics.totalReturn;
    const beaten = evaluation.rows.slice(1).every((row) => agent > row.metrics.totalReturn);
    expect(evaluation.beatsBaselines).toBe(beaten);
    expect(evaluation.verdict).toMatch(beaten ? /beat both baselines/ : /did NOT beat/);
    expect(formatEvaluation(evaluation)).toContain(evaluation.verdict);
  }, 120_000);

  it("keeps an online update only if it does not score worse, and rolls back in one call", async () => {
    const { model: original, curve } = await model();
    const store = new ModelStore(join(folder, "online"));
    store.save("fb", original, { curveCsv: curve, now: new Date("2026-11-20T21:00:00Z") });
    const recent = sliceSeries(bars, 200);
    const result = await onlineUpdate({ store, name: "fb", bars: recent, evaluateFrom: recent.time[recent.length - 60], instrument, steps: 1024, seed: 9, now: new Date("2026-11-21T21:00:00Z") });
    const manifest = store.manifest("fb");
    expect(manifest.versions.map((entry) => entry.version)).toEqual([1, 2]);
    expect(result.accepted).toBe(result.updatedReturn >= result.previousReturn);
    expect(manifest.current).toBe(result.accepted ? 2 : 1);
    expect(store.load("fb", 2).normalisation).toEqual(original.normalisation);
    if (result.accepted) {
      expect(store.rollback("fb")).toBe(1);
      expect(store.manifest("fb").current).toBe(1);
    } else {
      expect(() => store.rollback("fb")).toThrow(/no earlier accepted version/);
    }
    store.setCurrent("fb", 2);
    expect(store.rollback("fb")).toBe(1);
    expect(store.load("fb")).toEqual(original);
  }, 120_000);

  it("normalises observations with the training span's statistics only", () => {
    const config = envConfigSchema.parse({});
    const fitted = prepareMarket(training, config);
    const full = prepareMarket(bars, config, fitted.normalisation);
    expect(Array.from(full.normalised.subarray(0, split * MARKET_FEATURE_COUNT))).toEqual(Array.from(fitted.normalised));
    expect(OBSERVATION_SIZE).toBe(MARKET_FEATURE_COUNT + 2);
  });
});
