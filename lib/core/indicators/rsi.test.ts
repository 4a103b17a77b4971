import { describe, expect, it } from "vitest";
import { Rsi, rsi } from "./index";
import { expectSeriesClose, firstDefined, randomWalk } from "./testing/series";

/** Wilder's RSI as usually written: RS = avgGain/avgLoss, RSI = 100 - 100/(1+RS), with (prev·(n-1) + x)/n smoothing. */
function referenceRsi(closes: number[], period: number): number[] {
  const out: number[] = closes.map(() => NaN);
  let averageGain = 0;
  let averageLoss = 0;
  for (let i = 1; i < closes.length; i++) {
    const change = closes[i] - closes[i - 1];
    const gain = Math.max(change, 0);
    const loss = Math.max(-change, 0);
    if (i <= period) {
      averageGain += gain / period;
      averageLoss += loss / period;
      if (i < period) continue;
    } else {
      averageGain = (averageGain * (period - 1) + gain) / period;
      averageLoss = (averageLoss * (period - 1) + loss) / period;
    }
    out[i] = averageLoss === 0 ? (averageGain === 0 ? 50 : 100) : 100 - 100 / (1 + averageGain / averageLoss);
  }
  return out;
}

describe("rsi", () => {
  it("computes Wilder's RSI by hand on a short series", () => {
    // n = 2, changes +1, +1, -1, +2.
    // index 2: avgGain (1+1)/2 = 1, avgLoss 0                    -> 100
    // index 3: avgGain 1 + (0-1)/2 = 0.5, avgLoss 0 + (1-0)/2 = 0.5 -> 100·0.5/1 = 50
    // index 4: avgGain 0.5 + (2-0.5)/2 = 1.25, avgLoss 0.5 + (0-0.5)/2 = 0.25 -> 100·1.25/1.5
    const out = rsi([1, 2, 3, 2, 4], 2);
    expect(Array.from(out.slice(0, 4))).toEqual([NaN, NaN, 100, 50]);
    expect(out[4]).toBeCloseTo(250 / 3, 12);
  });

  it("reproduces StockCharts' published 14-day RSI table (closes rounded to cents there)", () => {
    // ChartSchool "cs-rsi" spreadsheet, QQQQ Dec 2009 - Feb 2010; RSI from the 15th close on.
    const closes = [
      44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.1, 45.42, 45.84, 46.08, 45.89, 46.03, 45.61, 46.28, 46.28, 46.0,
      46.03, 46.41, 46.22, 45.64, 46.21, 46.25, 45.71, 46.45, 45.78, 45.35, 44.03, 44.18, 44.22, 44.57, 43.42, 42.66,
      43.13,
    ];
    const published = [
      70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42, 39.99, 41.46, 41.87, 45.46,
      37.3, 33.08, 37.77,
    ];
    const out = Array.from(rsi(closes, 14).slice(14));
    // The sheet computes from unrounded closes; rounding them to cents moves the RSI by less than 0.1.
    out.forEach((value, i) => expect(Math.abs(value - published[i]), `row ${i + 15}`).toBeLessThan(0.1));
  });

  it("matches the textbook formulation on random walks", () => {
    const closes = randomWalk(1_000, 11);
    for (const period of [1, 2, 14, 50]) expectSeriesClose(rsi(closes, period), referenceRsi(closes, period), 1e-9);
  });

  it("first value at index n; all NaN when n >= length", () => {
    expect(firstDefined(rsi(randomWalk(40, 5), 14))).toBe(14);
    expect(Array.from(rsi([1, 2, 3], 3))).toEqual([NaN, NaN, NaN]);
  });

  it("is 50 on a flat series, 100 when only rising, 0 when only falling", () => {
    expect(Array.from(rsi([5, 5, 5, 5], 2))).toEqual([NaN, NaN, 50, 50]);
    expect(Array.from(rsi([1, 2, 3, 4], 2))).toEqual([NaN, NaN, 100, 100]);
    expect(Array.from(rsi([4, 3, 2, 1], 2))).toEqual([NaN, NaN, 0, 0]);
  });

  it("with n = 1 is 100 on a rise, 0 on a fall, 50 when unchanged", () => {
    expect(Array.from(rsi([1, 2, 1, 1], 1))).toEqual([NaN, 100, 0, 50]);
  });

  it("measures the change after a missing close from the last observed close", () => {
    // [1, 2, NaN, 4] n = 1: changes +1 (index 1), missing (index 2), 4-2 = +2 (index 3)
    expect(Array.from(rsi([1, 2, NaN, 4], 1))).toEqual([NaN, 100, NaN, 100]);
    expect(Array.from(rsi([1, 2, NaN, 0], 1))).toEqual([NaN, 100, NaN, 0]);
  });

  it("rejects a bad period", () => {
    expect(() => rsi([1, 2], -1)).toThrow(/rsi: period/);
    expect(() => new Rsi(0)).toThrow(/Rsi: period/);
  });
});
