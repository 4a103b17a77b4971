import { describe, expect, it } from "vitest";
import { Atr, atr, trueRange } from "./index";
import { expectSeriesClose, firstDefined, randomBars } from "./testing/series";

function referenceAtr(high: number[], low: number[], close: number[], period: number): number[] {
  const ranges = close.map((_, i) =>
    i === 0 ? NaN : Math.max(high[i] - low[i], Math.abs(high[i] - close[i - 1]), Math.abs(low[i] - close[i - 1])),
  );
  const out = close.map(() => NaN);
  for (let i = period; i < close.length; i++) {
    out[i] =
      i === period
        ? ranges.slice(1, period + 1).reduce((sum, r) => sum + r, 0) / period
        : (out[i - 1] * (period - 1) + ranges[i]) / period;
  }
  return out;
}

describe("trueRange", () => {
  it("is undefined on the first bar and spans the previous close after that", () => {
    // bar 1: high 12, low 11, prev close 9 (gap up)   -> max(12,9) - min(11,9) = 3
    // bar 2: high 13, low 10, prev close 11.5          -> 13 - 10 = 3
    // bar 3: high 9, low 8, prev close 12 (gap down)   -> 12 - 8 = 4
    const out = trueRange([10, 12, 13, 9], [8, 11, 10, 8], [9, 11.5, 12, 8.5]);
    expect(Array.from(out)).toEqual([NaN, 3, 3, 4]);
  });

  it("rejects inputs of different lengths, naming them", () => {
    expect(() => trueRange([1, 2], [1], [1, 2])).toThrow(/low has 1 values but high has 2/);
  });
});

describe("atr", () => {
  it("seeds with the mean of true ranges 1..n and then smooths with Wilder's 1/n, by hand", () => {
    // true ranges (as above): NaN, 3, 3, 4, then bar 4: high 10, low 8, prev close 8.5 -> 2
    // n = 2: index 2: (3+3)/2 = 3; index 3: (3·1 + 4)/2 = 3.5; index 4: (3.5 + 2)/2 = 2.75
    const out = atr([10, 12, 13, 9, 10], [8, 11, 10, 8, 8], [9, 11.5, 12, 8.5, 9], 2);
    expect(Array.from(out)).toEqual([NaN, NaN, 3, 3.5, 2.75]);
  });

  it("matches the textbook formulation on random bars", () => {
    const { high, low, close } = randomBars(800, 5);
    for (const period of [1, 2, 14, 100]) {
      expectSeriesClose(atr(high, low, close, period), referenceAtr(high, low, close, period), 1e-10);
    }
  });

  it("first value at index n; n = 1 gives the true range itself; all NaN when n >= length", () => {
    const { high, low, close } = randomBars(40, 6);
    expect(firstDefined(atr(high, low, close, 14))).toBe(14);
    expectSeriesClose(atr(high, low, close, 1), trueRange(high, low, close), 1e-12);
    expect(Array.from(atr([2, 2], [1, 1], [1.5, 1.5], 2))).toEqual([NaN, NaN]);
  });

  it("skips a bar with a missing value: the next true range uses the last observed close", () => {
    // n = 1; bar 2 is missing; bar 3's true range: max(13, 11.5) - min(10, 11.5) = 3
    const out = atr([10, 12, NaN, 13], [8, 11, 10, 10], [9, 11.5, 12, 12], 1);
    expect(Array.from(out)).toEqual([NaN, 3, NaN, 3]);
  });

  it("validates period and lengths", () => {
    expect(() => atr([1], [1], [1], 0)).toThrow(/atr: period/);
    expect(() => atr([1], [1], [1, 2], 1)).toThrow(/close has 2 values but high has 1/);
    expect(() => new Atr(-2)).toThrow(/Atr: period/);
  });

  it("the incremental face takes bars and agrees with the batch", () => {
    const { high, low, close } = randomBars(100, 7);
    const live = new Atr(14);
    const batch = atr(high, low, close, 14);
    close.forEach((c, i) => expect(live.update({ high: high[i], low: low[i], close: c })).toBe(batch[i]));
    expect(live.isReady).toBe(true);
  });
});
