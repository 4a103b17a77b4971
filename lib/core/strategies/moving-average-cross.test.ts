import { describe, expect, it } from "vitest";
import { barAt } from "../data/bars";
import { sma } from "../indicators";
import { createGoldenCross } from "./golden-cross";
import { createMaCross } from "./ma-cross";
import { barsFromCloses, ScriptedContext } from "./testing";
import type { Strategy, StrategyIntent } from "./types";

/**
 * Feeds closes one by one, applying the intents to the scripted position as if filled. `prepared`
 * drives the strategy as a backtest does: `prepare` with the whole series, then after each bar fed,
 * idle bars passed over with `skipIdleBars` (their bars never reach onBar).
 */
function run(strategy: Strategy, closes: number[], { prepared = false } = {}): { bar: number; intent: StrategyIntent }[] {
  const series = barsFromCloses(closes);
  const context = new ScriptedContext();
  const log: { bar: number; intent: StrategyIntent }[] = [];
  if (prepared) strategy.prepare!(series);
  for (let i = 0; i < series.length; i++) {
    context.time = series.time[i];
    strategy.onBar(barAt(series, i), context);
    for (const intent of context.take()) {
      log.push({ bar: i, intent });
      if (intent.kind === "enter") context.position = intent.direction === "long" ? 1 : -1;
      if (intent.kind === "exit") context.position = 0;
    }
    if (prepared) i += strategy.skipIdleBars!(context, series.length - i - 1);
  }
  return log;
}

const summary = (log: { bar: number; intent: StrategyIntent }[]) =>
  log.map(({ bar, intent }) => `${bar}:${intent.kind === "enter" ? intent.direction : intent.kind}`);

// fast 2 / slow 4: fast crosses above at bar 4 (10.5 > 10.25), below at bar 10
// (13.5 < 14, the mean of 14, 15, 14, 13), above again at bar 15 (11.5 > 11).
const closes = [10, 10, 10, 10, 11, 12, 13, 14, 15, 14, 13, 12, 11, 10, 11, 12, 13, 14];

describe("moving-average cross", () => {
  it("in state mode goes long when fast > slow and flat when below (long-only)", () => {
    const fast = sma(closes, 2);
    const slow = sma(closes, 4);
    const firstAbove = fast.findIndex((value, index) => value > slow[index]);
    const firstBelowAfter = fast.findIndex((value, index) => index > firstAbove && value < slow[index]);
    const log = run(createGoldenCross({ fast: 2, slow: 4 }), closes);
    expect(summary(log)[0]).toBe(`${firstAbove}:long`);
    expect(summary(log)[1]).toBe(`${firstBelowAfter}:exit`);
    expect(summary(log)).toEqual(["4:long", "10:exit", "15:long"]);
  });

  it("in state mode with long/short reverses instead of going flat", () => {
    const log = run(createGoldenCross({ fast: 2, slow: 4, longOnly: false }), closes);
    expect(summary(log)).toEqual(["4:long", "10:short", "15:long"]);
  });

  it("in state mode takes the side at once when the averages are already apart at warm-up", () => {
    const rising = [1, 2, 3, 4, 5, 6];
    expect(summary(run(createGoldenCross({ fast: 2, slow: 4 }), rising))).toEqual(["3:long"]);
  });

  it("in cross mode waits for an observed crossing", () => {
    const rising = [1, 2, 3, 4, 5, 6];
    expect(run(createGoldenCross({ fast: 2, slow: 4, mode: "cross" }), rising)).toEqual([]);
    // From flat (fast == slow) to above is a crossing
    expect(summary(run(createGoldenCross({ fast: 2, slow: 4, mode: "cross" }), closes))).toEqual(["4:long", "10:exit", "15:long"]);
  });

  it("does nothing while an entry is pending", () => {
    const strategy = createMaCross({ fast: 2, slow: 4 });
    const series = barsFromCloses(closes);
    const context = new ScriptedContext();
    context.entryPending = true;
    for (let i = 0; i < series.length; i++) strategy.onBar(barAt(series, i), context);
    expect(context.intents).toEqual([]);
  });

  it("ma-cross defaults to 10/30 and can use EMAs", () => {
    const trend = Array.from({ length: 60 }, (_, i) => 100 + (i < 30 ? -i : i - 60) * 0.5);
    const smaLog = summary(run(createMaCross({ longOnly: false }), trend));
    const emaLog = summary(run(createMaCross({ longOnly: false, average: "ema" }), trend));
    expect(smaLog[0]).toBe("29:short");
    expect(emaLog.length).toBeGreaterThan(0);
    expect(emaLog).not.toEqual(smaLog);
  });

  it("rejects fast >= slow with a message naming the parameter", () => {
    expect(() => createGoldenCross({ fast: 200, slow: 50 })).toThrow(/fast must be shorter than slow/);
    expect(() => createMaCross({ fast: 0 })).toThrow();
  });
});

describe("a prepared moving-average cross passing over idle bars", () => {
  let seed = 5;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  // A walk long enough for many exact recomputes of the running sums, with missing closes, and
  // flat stretches where both averages are the same price: only exact sums give a spread of 0 there.
  const walk: number[] = [];
  for (let i = 0, price = 100; i < 20_000; i++) {
    if (random() < 0.002) {
      for (let flat = 0; flat < 600; flat++, i++) walk.push(price);
    }
    price = Math.max(1, price + Math.round((random() - 0.5) * 10) / 10);
    walk.push(random() < 0.002 ? NaN : price);
  }
  const cases = [
    ["golden-cross", createGoldenCross({ fast: 50, slow: 200 }), createGoldenCross({ fast: 50, slow: 200 })],
    ["golden-cross cross mode long/short", createGoldenCross({ fast: 7, slow: 31, mode: "cross", longOnly: false }), createGoldenCross({ fast: 7, slow: 31, mode: "cross", longOnly: false })],
    ["ma-cross sma long/short", createMaCross({ fast: 3, slow: 256, longOnly: false }), createMaCross({ fast: 3, slow: 256, longOnly: false })],
    ["ma-cross ema", createMaCross({ fast: 10, slow: 30, average: "ema", longOnly: false }), createMaCross({ fast: 10, slow: 30, average: "ema", longOnly: false })],
  ] as const;

  for (const [name, live, prepared] of cases) {
    it(`${name}: the same intents on the same bars as feeding every bar, gaps included`, () => {
      const expected = run(live, walk);
      expect(expected.length).toBeGreaterThan(20);
      expect(run(prepared, walk, { prepared: true })).toEqual(expected);
    });
  }
});
