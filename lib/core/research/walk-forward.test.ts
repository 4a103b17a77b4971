import { describe, expect, it } from "vitest";
import { dailyReturns, sharpe } from "../backtest/metrics";
import { runBacktest } from "../backtest/run";
import { seriesFromBars, sliceSeries, type Bar } from "../data/bars";
import { defineInstrument } from "../model/instrument";
import { createStrategy } from "../strategies/registry";
import { evaluateParameterSet, sliceCurve, type RunSettings } from "./evaluation";
import { gridSearch, seededUniform } from "./parameters";
import { judgeSweep } from "./summary";
import { validationPlan } from "./walk-forward";

describe("walk-forward windows", () => {
  it("rolling: fixed training length, test right after training, holdout after everything", () => {
    const plan = validationPlan(1000, { mode: "rolling", trainBars: 300, testBars: 100, holdoutFraction: 0.2 });
    expect(plan.search).toEqual({ start: 0, end: 800 });
    expect(plan.holdout).toEqual({ start: 800, end: 1000 });
    expect(plan.windows.map((w) => [w.train.start, w.train.end, w.test.start, w.test.end])).toEqual([
      [0, 300, 300, 400],
      [100, 400, 400, 500],
      [200, 500, 500, 600],
      [300, 600, 600, 700],
      [400, 700, 700, 800],
    ]);
  });

  it("anchored: training grows from the first bar; no window reaches the holdout", () => {
    const plan = validationPlan(1000, { mode: "anchored", trainBars: 300, testBars: 150, holdoutFraction: 0.1 });
    expect(plan.windows.map((w) => [w.train.start, w.train.end, w.test.end])).toEqual([
      [0, 300, 450],
      [0, 450, 600],
      [0, 600, 750],
      [0, 750, 900],
    ]);
    for (const window of plan.windows) {
      expect(window.train.end).toBeLessThanOrEqual(window.test.start);
      expect(window.test.end).toBeLessThanOrEqual(plan.holdout!.start);
    }
  });

  it("rejects walk-forward without window sizes, naming the field", () => {
    expect(() => validationPlan(100, { mode: "rolling" })).toThrow(/trainBars/);
  });
});

/** Daily bars of a flat, noisy market; `plant` makes a pattern only after bar `from`. */
function market(length: number, seed: number, plant?: { from: number }): Bar[] {
  const random = seededUniform(seed);
  let price = 100;
  return Array.from({ length }, (_, index) => {
    const noise = (random() - 0.5) * 1.2;
    // The planted pattern: a steady climb that only a long-only trend follower catches.
    const drift = plant && index >= plant.from ? 0.6 : 0;
    const open = price;
    price = Math.max(5, price + noise + drift);
    return { time: Date.UTC(2020, 0, 1) + index * 86_400_000, open, high: Math.max(open, price) + 0.1, low: Math.min(open, price) - 0.1, close: price, volume: 1000 };
  });
}

const settings: RunSettings = { instrument: defineInstrument({ symbol: "SYN", timeZone: "UTC" }), initialCapital: 100_000, fill: "close", fractional: true };
const space = { fast: { from: 2, to: 10, step: 4 }, slow: { from: 12, to: 40, step: 14 } };

describe("walk-forward never lets test data into training", () => {
  it("training figures are identical whether or not the future holds a planted pattern", () => {
    const plan = validationPlan(600, { mode: "rolling", trainBars: 200, testBars: 100, holdoutFraction: 0 });
    const plain = seriesFromBars(market(600, 5));
    const planted = seriesFromBars(market(600, 5, { from: 300 }));
    for (const parameters of gridSearch(space, (set) => Number(set.fast) < Number(set.slow))) {
      const withoutPattern = evaluateParameterSet(plain, "ma-cross", parameters, settings, plan);
      const withPattern = evaluateParameterSet(planted, "ma-cross", parameters, settings, plan);
      // Window 0 trains on bars 0-199 and is the same in both markets up to bar 299.
      expect(withPattern.windows[0].trainSharpe).toBe(withoutPattern.windows[0].trainSharpe);
      // The pattern shows up only in test windows that contain it, never in training before it.
      expect(withPattern.windows[0].testSharpe).toBe(withoutPattern.windows[0].testSharpe);
      expect(withPattern.windows[1].trainSharpe).toBe(withoutPattern.windows[1].trainSharpe);
    }
  });

  it("the holdout is never part of a run's figures", () => {
    const plan = validationPlan(600, { mode: "none", holdoutFraction: 0.25 });
    const plain = seriesFromBars(market(600, 9));
    const plantedInHoldout = seriesFromBars(market(600, 9, { from: 450 }));
    const parameters = { fast: 2, slow: 12 };
    const a = evaluateParameterSet(plain, "ma-cross", parameters, settings, plan);
    const b = evaluateParameterSet(plantedInHoldout, "ma-cross", parameters, settings, plan);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.blocks).toEqual(a.blocks);
  });

  it("per-window selection uses training figures only", () => {
    const plan = validationPlan(600, { mode: "rolling", trainBars: 200, testBars: 100, holdoutFraction: 0 });
    const bars = seriesFromBars(market(600, 5, { from: 300 }));
    const runs = gridSearch(space, (set) => Number(set.fast) < Number(set.slow)).map((parameters, paramIndex) => {
      const evaluation = evaluateParameterSet(bars, "ma-cross", parameters, settings, plan);
      return { paramIndex, parameters, sharpe: evaluation.metrics.sharpe, blocks: evaluation.blocks, windows: evaluation.windows };
    });
    const verdict = judgeSweep(runs, space);
    for (const selection of verdict.walkForward) {
      const bestTrain = Math.max(...runs.map((run) => run.windows[selection.index].trainSharpe));
      expect(selection.trainSharpe).toBe(bestTrain);
    }
    expect(verdict.chosen).not.toBeNull();
    expect(verdict.pbo!.splits).toBe(924);
  });
});

describe("runs sharing a plan", () => {
  it("read the series and calendar each is given, whatever the plan's runs read before", () => {
    const first = seriesFromBars(market(400, 3));
    // Three bars a day: Tokyo's days (UTC+9) group them differently from UTC's.
    const second = seriesFromBars(market(400, 4).map((bar, index) => ({ ...bar, time: Date.UTC(2020, 0, 1) + index * 8 * 3_600_000 })));
    const validation = { mode: "rolling", trainBars: 150, testBars: 50, holdoutFraction: 0.1 } as const;
    const shared = validationPlan(400, validation);
    const parameters = { fast: 3, slow: 12 };
    const tokyo = { ...settings, instrument: defineInstrument({ symbol: "SYN", timeZone: "Asia/Tokyo" }) };
    const alone = (bars: typeof first, runSettings: RunSettings) => evaluateParameterSet(bars, "ma-cross", parameters, runSettings, validationPlan(400, validation));
    for (const [bars, runSettings] of [[first, settings], [second, settings], [second, tokyo], [first, settings]] as const) {
      expect(evaluateParameterSet(bars, "ma-cross", parameters, runSettings, shared)).toEqual(alone(bars, runSettings));
    }
    expect(alone(first, settings)).not.toEqual(alone(second, settings));
    expect(alone(second, tokyo).metrics.sharpe).not.toBe(alone(second, settings).metrics.sharpe);
  });
});

describe("walk-forward figures", () => {
  it("are those of each window's span taken as a curve of its own, windows cut mid-day included", () => {
    // Five bars a day: most windows start and end within a day.
    const bars = seriesFromBars(market(900, 5).map((bar, index) => ({ ...bar, time: Date.UTC(2020, 0, 1) + Math.floor(index / 5) * 86_400_000 + (index % 5) * 3_600_000 })));
    const plan = validationPlan(bars.length, { mode: "anchored", trainBars: 203, testBars: 101, holdoutFraction: 0.1 });
    const parameters = { fast: 4, slow: 15, longOnly: false };
    const evaluation = evaluateParameterSet(bars, "ma-cross", parameters, settings, plan);
    const { curve } = runBacktest({ ...settings, bars: sliceSeries(bars, plan.search.start, plan.search.end), strategy: createStrategy("ma-cross", parameters) });
    const expected = plan.windows.map((window) => {
      const test = sliceCurve(curve, window.test);
      return {
        index: window.index,
        trainSharpe: sharpe(dailyReturns(sliceCurve(curve, window.train))),
        testSharpe: sharpe(dailyReturns(test)),
        testReturn: test.equity[test.equity.length - 1] / test.initialCapital - 1,
      };
    });
    expect(plan.windows.length).toBeGreaterThan(4);
    expect(evaluation.windows).toEqual(expected);
    const allTests = plan.windows.flatMap((window) => Array.from(dailyReturns(sliceCurve(curve, window.test))));
    expect(evaluation.oosSharpe).toBe(sharpe(Float64Array.from(allTests)));
  });
});
