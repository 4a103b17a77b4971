import { describe, expect, it } from "vitest";
import { RollingHigh, RollingLow, rollingHigh, rollingLow } from "./index";
import { expectSeriesClose, randomWalk, windowEndingAt } from "./testing/series";

function referenceExtreme(values: number[], period: number, pick: (...xs: number[]) => number): number[] {
  return values.map((_, i) => {
    const window = windowEndingAt(values, i, period);
    return window ? pick(...window) : NaN;
  });
}

describe("rollingHigh / rollingLow", () => {
  it("track the extreme of the last n values, by hand", () => {
    const x = [3, 1, 4, 1, 5, 9, 2, 6];
    // windows of 3: [3,1,4] [1,4,1] [4,1,5] [1,5,9] [5,9,2] [9,2,6]
    expect(Array.from(rollingHigh(x, 3))).toEqual([NaN, NaN, 4, 4, 5, 9, 9, 9]);
    expect(Array.from(rollingLow(x, 3))).toEqual([NaN, NaN, 1, 1, 1, 1, 2, 2]);
  });

  it("match Math.max / Math.min over each window on random walks, including ties", () => {
    const walk = randomWalk(3_000, 13).map((x) => Math.round(x * 4) / 4); // quarter steps make ties
    for (const period of [1, 2, 7, 50, 1_000]) {
      expectSeriesClose(rollingHigh(walk, period), referenceExtreme(walk, period, Math.max), 0);
      expectSeriesClose(rollingLow(walk, period), referenceExtreme(walk, period, Math.min), 0);
    }
  });

  it("handle monotonic runs, where the extreme sits at either end of the window (periods at powers of two too)", () => {
    const rising = Array.from({ length: 40 }, (_, i) => i);
    const falling = rising.map((x) => -x);
    for (const period of [1, 2, 4, 5, 8, 16]) {
      expectSeriesClose(rollingHigh(falling, period), referenceExtreme(falling, period, Math.max), 0);
      expectSeriesClose(rollingLow(rising, period), referenceExtreme(rising, period, Math.min), 0);
      expectSeriesClose(rollingHigh(rising, period), referenceExtreme(rising, period, Math.max), 0);
    }
  });

  it("give NaN while a missing value is in the window; all NaN when n exceeds the length", () => {
    expect(Array.from(rollingHigh([1, NaN, 3, 2, 1], 2))).toEqual([NaN, NaN, NaN, 3, 2]);
    expect(Array.from(rollingLow([1, 2], 3))).toEqual([NaN, NaN]);
  });

  it("count ±Infinity as missing, in both faces", () => {
    const x = [1, Infinity, 3, 2, -Infinity, 0, 5];
    expect(Array.from(rollingHigh(x, 2))).toEqual([NaN, NaN, NaN, 3, NaN, NaN, 5]);
    expect(Array.from(rollingLow(x, 2))).toEqual([NaN, NaN, NaN, 2, NaN, NaN, 0]);
    const live = new RollingLow(2);
    expect(x.map((value) => live.update(value))).toEqual([NaN, NaN, NaN, 2, NaN, NaN, 0]);
  });

  it("validate the period and report readiness after n updates", () => {
    expect(() => rollingHigh([1], 0)).toThrow(/rollingHigh: period/);
    expect(() => new RollingLow(2.5)).toThrow(/RollingLow: period/);
    const live = new RollingHigh(2);
    live.update(1);
    expect(live.isReady).toBe(false);
    expect(live.update(0)).toBe(1);
    expect(live.isReady).toBe(true);
    live.reset();
    expect([live.isReady, live.value]).toEqual([false, NaN]);
  });
});
