import { describe, expect, it } from "vitest";
import { Ema, ema } from "./index";
import { expectSeriesClose, firstDefined, meanOf, randomWalk } from "./testing/series";

/**
 * Closed form of an SMA-seeded EMA: with seed s = mean(x[0..n-1]) and a = 2/(n+1),
 * EMA[t] = (1-a)^(t-n+1)·s + Σ_{j=n}^{t} a·(1-a)^(t-j)·x[j].
 */
function referenceEma(values: number[], period: number): number[] {
  const alpha = 2 / (period + 1);
  return values.map((_, t) => {
    if (t < period - 1) return NaN;
    let total = (1 - alpha) ** (t - period + 1) * meanOf(values.slice(0, period));
    for (let j = period; j <= t; j++) total += alpha * (1 - alpha) ** (t - j) * values[j];
    return total;
  });
}

describe("ema", () => {
  it("is seeded with the SMA of the first n values, then smooths with alpha = 2/(n+1)", () => {
    // n = 3, alpha = 0.5: seed (2+4+6)/3 = 4; then 4 + 0.5·(8-4) = 6; then 6 + 0.5·(3-6) = 4.5
    expect(Array.from(ema([2, 4, 6, 8, 3], 3))).toEqual([NaN, NaN, 4, 6, 4.5]);
  });

  it("matches the closed-form weighted sum on a random walk", () => {
    const closes = randomWalk(400, 3);
    for (const period of [1, 2, 12, 26, 100]) {
      expectSeriesClose(ema(closes, period), referenceEma(closes, period), 1e-10);
    }
  });

  it("starts at index n-1, returns all NaN when n exceeds the length, and copies the input for n = 1", () => {
    expect(firstDefined(ema(randomWalk(30, 2), 10))).toBe(9);
    expect(Array.from(ema([1, 2], 3))).toEqual([NaN, NaN]);
    expect(Array.from(ema([5, 7, 1], 1))).toEqual([5, 7, 1]);
  });

  it("skips a missing value: NaN for that bar, then carries on from the last observed state", () => {
    // n = 2, alpha = 2/3: seed (3+6)/2 = 4.5 at the 2nd observation (index 2); then 4.5 + 2/3·(9-4.5) = 7.5
    const out = Array.from(ema([3, NaN, 6, NaN, 9], 2));
    expect(out.slice(0, 4)).toEqual([NaN, NaN, 4.5, NaN]);
    expect(out[4]).toBeCloseTo(7.5, 12);
  });

  it("rejects a bad period", () => {
    expect(() => ema([1], 0)).toThrow(/ema: period/);
    expect(() => new Ema(1.5)).toThrow(/Ema: period/);
  });

  it("reports readiness after n observed values", () => {
    const live = new Ema(3);
    expect([1, 2, NaN, 3].map((x) => (live.update(x), live.isReady))).toEqual([false, false, false, true]);
  });
});
