import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runBacktest } from "../backtest/run";
import type { Bar, BarSeries } from "../data/bars";
import { parseOhlcvCsv } from "../data/csv";
import { commissionModelOf, type EnvConfigInput } from "./config";
import { TradingEnv } from "./env";
import { computeMarketFeatures, featurePeriodsSchema, MARKET_FEATURE_COUNT, OBSERVATION_SIZE } from "./features";
import { defineInstrument } from "../model/instrument";
import type { Strategy, StrategyContext } from "../strategies/types";
import { submitAction } from "./actions";
import { createRng } from "./random";
import { VectorTradingEnv } from "./vector-env";

// Real daily prices: see test/fixtures/prices/README.md for the source and licence.
const FIXTURE = new URL("../../../test/fixtures/prices/fb-daily-2012-2014.csv", import.meta.url);
const bars = parseOhlcvCsv(readFileSync(FIXTURE, "utf8"), { source: "fb-daily-2012-2014.csv" });
const instrument = defineInstrument({ symbol: "FB" });
const costly: EnvConfigInput = { commission: { kind: "ibkr-fixed" }, slippageBps: 5, episodeLength: 120, randomStart: false, initialCapital: 10_000 };

function randomActions(count: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => Math.floor(rng.uniform() * 3));
}

/** Plays a fixed action per bar index, as the environment would. */
class ScriptedStrategy implements Strategy {
  readonly name = "scripted";
  private index = -1;
  constructor(private readonly actions: ReadonlyMap<number, number>) {}
  onBar(_bar: Readonly<Bar>, context: StrategyContext): void {
    this.index++;
    submitAction(this.actions.get(this.index) ?? 0, context, "scripted");
  }
}

describe("TradingEnv", () => {
  it("steps one bar at a time and ends the episode after episodeLength decisions", () => {
    const env = new TradingEnv(bars, instrument, { ...costly, episodeLength: 5 });
    const first = env.reset();
    expect(first).toHaveLength(OBSERVATION_SIZE);
    const start = env.barIndex;
    const results = [0, 1, 0, 2, 0].map((action) => env.step(action));
    expect(results.map((r) => r.done)).toEqual([false, false, false, false, true]);
    expect(env.barIndex).toBe(start + 5);
    expect(results[1].info.position).toBeGreaterThan(0);
    expect(results[1].observation[MARKET_FEATURE_COUNT]).toBe(1);
    expect(results[3].info.position).toBe(0);
    expect(results[4].info.trades).toBe(2);
    expect(() => env.step(0)).toThrow(/reset/);
    env.reset();
    expect(() => env.step(7)).toThrow(/action must be/);
  });

  it("rewards the equity change after commission and slippage, and charges the configured penalties", () => {
    const plain = new TradingEnv(bars, instrument, costly);
    const penalised = new TradingEnv(bars, instrument, { ...costly, tradePenalty: 0.5, losingHoldPenalty: 0.25 });
    plain.reset();
    penalised.reset();
    let equity = 10_000;
    let trades = 0;
    let penaltiesCharged = 0;
    for (const action of randomActions(119, 3)) {
      const a = plain.step(action);
      const b = penalised.step(action);
      expect(a.reward).toBeCloseTo(((a.info.equity - equity) / 10_000) * 100, 9);
      const penalty = a.reward - b.reward;
      const tradesNow = a.info.trades - trades;
      expect(Math.abs(penalty - 0.5 * tradesNow) < 1e-9 || Math.abs(penalty - 0.5 * tradesNow - 0.25) < 1e-9).toBe(true);
      penaltiesCharged += penalty - 0.5 * tradesNow;
      trades = a.info.trades;
      equity = a.info.equity;
    }
    expect(trades).toBeGreaterThan(10);
    expect(penaltiesCharged).toBeGreaterThan(0);
  });

  it("has the same cash and position, bar by bar, as a backtest playing the same actions", () => {
    for (const fill of ["close", "next-open"] as const) {
      const config = { ...costly, fill };
      const env = new TradingEnv(bars, instrument, config);
      env.reset();
      const start = env.barIndex;
      const actions = randomActions(120, 11);
      const steps = actions.map((action) => env.step(action));
      const script = new Map(actions.map((action, i) => [start + i, action]));
      const window: BarSeries = { ...bars };
      const result = runBacktest({
        bars: window,
        instrument,
        strategy: new ScriptedStrategy(script),
        initialCapital: 10_000,
        fill,
        slippageBps: 5,
        commission: commissionModelOf({ kind: "ibkr-fixed" }),
      });
      expect(result.trades.length).toBeGreaterThan(5);
      steps.forEach((step, i) => {
        const t = start + i;
        // After the decision on bar t the backtest marks at t's close; the env already shows bar t+1.
        const envEquityAtT = step.info.cash + step.info.position * bars.close[t];
        if (fill === "close") expect(envEquityAtT).toBeCloseTo(result.curve.equity[t], 6);
        else expect(step.info.cash + step.info.position * bars.close[t + 1]).toBeCloseTo(result.curve.equity[t + 1], 6);
      });
    }
  });
});

describe("VectorTradingEnv", () => {
  it("charges the same commission and slippage as the engine-backed environment, bar by bar", () => {
    for (const commission of [{ kind: "ibkr-fixed" }, { kind: "percent", rate: 0.002 }] as const) {
      for (const fill of ["close", "next-open"] as const) {
        const config = { ...costly, commission, fill, tradePenalty: 0.1, losingHoldPenalty: 0.05 };
        const reference = new TradingEnv(bars, instrument, config);
        const vector = new VectorTradingEnv(reference.market, instrument, 1, config);
        const obsRef = reference.reset();
        const obs = new Float32Array(OBSERVATION_SIZE);
        vector.resetAt(0, reference.barIndex, obs);
        expect(Array.from(obs)).toEqual(Array.from(obsRef));
        const rewards = new Float32Array(1);
        const dones = new Uint8Array(1);
        for (const action of randomActions(119, 5)) {
          const step = reference.step(action);
          vector.step([action], obs, rewards, dones);
          const account = vector.account(0);
          expect(account.position).toBe(step.info.position);
          expect(account.cash).toBeCloseTo(step.info.cash, 4);
          expect(rewards[0]).toBeCloseTo(step.reward, 4);
          expect(Array.from(obs)).toEqual(Array.from(step.observation));
        }
      }
    }
  });

  it("auto-resets finished copies at seeded random starts", () => {
    const config = { ...costly, episodeLength: 10, randomStart: true };
    const reference = new TradingEnv(bars, instrument, config);
    const run = (seed: number) => {
      const env = new VectorTradingEnv(reference.market, instrument, 4, config, seed);
      const obs = new Float32Array(4 * OBSERVATION_SIZE);
      env.reset(obs);
      const starts = [0, 1, 2, 3].map((i) => env.account(i).barIndex);
      const dones = new Uint8Array(4);
      let finished = 0;
      for (let s = 0; s < 10; s++) {
        env.step([1, 0, 2, 1], obs, new Float32Array(4), dones);
        finished += dones.reduce((a, b) => a + b, 0);
      }
      return { starts, finished };
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7).starts).not.toEqual(run(8).starts);
    expect(run(7).finished).toBe(4);
  });
});

describe("observations", () => {
  it("never look ahead: changing future bars leaves every earlier feature row unchanged", () => {
    const periods = featurePeriodsSchema.parse({});
    const original = computeMarketFeatures(bars, periods);
    const cut = 300;
    const changed: BarSeries = {
      ...bars,
      open: bars.open.map((x, i) => (i >= cut ? x * 3 : x)),
      high: bars.high.map((x, i) => (i >= cut ? x * 3 : x)),
      low: bars.low.map((x, i) => (i >= cut ? x * 0.3 : x)),
      close: bars.close.map((x, i) => (i >= cut ? x * 2 : x)),
      volume: bars.volume.map((x, i) => (i >= cut ? x * 10 : x)),
    };
    const after = computeMarketFeatures(changed, periods);
    const rows = cut * MARKET_FEATURE_COUNT;
    expect(Array.from(after.values.subarray(0, rows))).toEqual(Array.from(original.values.subarray(0, rows)));
    expect(Array.from(after.values.subarray(rows, rows + MARKET_FEATURE_COUNT))).not.toEqual(Array.from(original.values.subarray(rows, rows + MARKET_FEATURE_COUNT)));
    expect(original.firstReady).toBeGreaterThan(40);
  });

  it("adds seeded noise to the market features only", () => {
    const noisy = (seed: number) => new TradingEnv(bars, instrument, { ...costly, observationNoise: 0.1 }, { seed }).reset();
    const clean = new TradingEnv(bars, instrument, costly).reset();
    expect(Array.from(noisy(1))).toEqual(Array.from(noisy(1)));
    expect(Array.from(noisy(1))).not.toEqual(Array.from(noisy(2)));
    expect(noisy(1)[MARKET_FEATURE_COUNT]).toBe(clean[MARKET_FEATURE_COUNT]);
  });
});
