import { describe, expect, it } from "vitest";
import { ZScore, zscore } from "./index";
import { expectSeriesClose, firstDefined, meanOf, populationVarianceOf, randomWalk, windowEndingAt } from "./testing/series";

describe("zscore", () => {
  it("divides the distance from the window mean by the population standard deviation, by hand", () => {
    // window [2, 4, 6]: mean 4, sd √(8/3), z of 6 = 2/√(8/3); window [4, 6, 11]: mean 7, sd √(26/3), z of 11 = 4/√(26/3)
    expectSeriesClose(zscore([2, 4, 6, 11], 3), [NaN, NaN, 2 / Math.sqrt(8 / 3), 4 / Math.sqrt(26 / 3)], 1e-12);
  });

  it("matches the obvious computation on random walks", () => {
    const x = randomWalk(1_000, 17, 20_000);
    for (const period of [2, 10, 250]) {
      const expected = x.map((value, i) => {
        const window = windowEndingAt(x, i, period);
        return window ? (value - meanOf(window)) / Math.sqrt(populationVarianceOf(window)) : NaN;
      });
      expectSeriesClose(zscore(x, period), expected, 1e-8);
    }
  });

  it("is 0 on a constant window and for n = 1 (no dispersion), never NaN or ±Infinity", () => {
    expect(Array.from(zscore([0.1, 0.1, 0.1, 0.1], 2))).toEqual([NaN, 0, 0, 0]);
    expect(Array.from(zscore([3, 1, 4], 1))).toEqual([0, 0, 0]);
    const nearlyFlat = Array.from({ length: 2_000 }, (_, i) => (i < 1_000 ? 1e6 + 0.3 : 1e6 + 0.1));
    const out = zscore(nearlyFlat, 50);
    expect(Array.from(out.slice(1_049))).toEqual(new Array(951).fill(0));
  });

  it("starts at index n-1; NaN while a missing value is in the window", () => {
    expect(firstDefined(zscore(randomWalk(30, 2), 20))).toBe(19);
    expect(Array.from(zscore([1, NaN, 3, 5], 2))).toEqual([NaN, NaN, NaN, 1]);
  });

  it("validates the period", () => {
    expect(() => zscore([1], 0)).toThrow(/zscore: period/);
    expect(() => new ZScore(-1)).toThrow(/ZScore: period/);
  });
});
