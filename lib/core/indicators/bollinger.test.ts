import { describe, expect, it } from "vitest";
import { Bollinger, bollinger } from "./index";
import { expectSeriesClose, firstDefined, meanOf, populationVarianceOf, randomWalk, windowEndingAt } from "./testing/series";

describe("bollinger", () => {
  it("uses the population standard deviation, by hand", () => {
    // window [2, 4, 6]: mean 4, variance ((2-4)² + 0 + (6-4)²)/3 = 8/3; k = 2 -> bands 4 ± 2·√(8/3)
    // window [4, 6, 11]: mean 7, variance (9 + 1 + 16)/3 = 26/3
    const out = bollinger([2, 4, 6, 11], 3, 2);
    expectSeriesClose(out.middle, [NaN, NaN, 4, 7]);
    expectSeriesClose(out.upper, [NaN, NaN, 4 + 2 * Math.sqrt(8 / 3), 7 + 2 * Math.sqrt(26 / 3)]);
    expectSeriesClose(out.lower, [NaN, NaN, 4 - 2 * Math.sqrt(8 / 3), 7 - 2 * Math.sqrt(26 / 3)]);
  });

  it("matches the obvious windowed computation on random walks", () => {
    const closes = randomWalk(1_500, 21, 5_000);
    for (const [period, k] of [
      [20, 2],
      [5, 1.5],
      [300, 3],
    ]) {
      const out = bollinger(closes, period, k);
      const middle = closes.map((_, i) => {
        const window = windowEndingAt(closes, i, period);
        return window ? meanOf(window) : NaN;
      });
      const width = closes.map((_, i) => {
        const window = windowEndingAt(closes, i, period);
        return window ? k * Math.sqrt(populationVarianceOf(window)) : NaN;
      });
      expectSeriesClose(out.middle, middle, 1e-12);
      expectSeriesClose(out.upper, middle.map((m, i) => m + width[i]), 1e-11);
      expectSeriesClose(out.lower, middle.map((m, i) => m - width[i]), 1e-11);
    }
  });

  it("collapses the bands onto the middle on a constant series and with n = 1", () => {
    const flat = bollinger([7.3, 7.3, 7.3, 7.3, 7.3], 3, 2);
    expect(Array.from(flat.upper)).toEqual([NaN, NaN, 7.3, 7.3, 7.3]);
    expect(Array.from(flat.lower)).toEqual([NaN, NaN, 7.3, 7.3, 7.3]);
    const single = bollinger([1, 5, 2], 1, 2);
    expect(Array.from(single.upper)).toEqual([1, 5, 2]);
  });

  it("starts at index n-1 and is all NaN when n exceeds the length", () => {
    expect(firstDefined(bollinger(randomWalk(30, 1), 20, 2).upper)).toBe(19);
    expect(Array.from(bollinger([1, 2], 3, 2).middle)).toEqual([NaN, NaN]);
  });

  it("validates period and k", () => {
    expect(() => bollinger([1], 0, 2)).toThrow(/bollinger: period/);
    expect(() => new Bollinger(20, -1)).toThrow(/Bollinger: k/);
  });
});
