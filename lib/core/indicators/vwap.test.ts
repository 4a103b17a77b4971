import { describe, expect, it } from "vitest";
import { RollingVwap, vwap } from "./index";
import { expectSeriesClose, firstDefined, randomBars } from "./testing/series";

function referenceBands(price: number[], volume: number[], period: number, k: number) {
  return price.map((_, i) => {
    if (i < period - 1) return { vwap: NaN, upper: NaN, lower: NaN };
    let totalVolume = 0;
    let weighted = 0;
    for (let j = i - period + 1; j <= i; j++) {
      totalVolume += volume[j];
      weighted += price[j] * volume[j];
    }
    const mean = weighted / totalVolume;
    let squares = 0;
    for (let j = i - period + 1; j <= i; j++) squares += volume[j] * (price[j] - mean) ** 2;
    const deviation = Math.sqrt(squares / totalVolume);
    return { vwap: mean, upper: mean + k * deviation, lower: mean - k * deviation };
  });
}

describe("vwap", () => {
  it("weights prices by volume over the last n bars, by hand", () => {
    // n = 2: (10·100 + 12·300)/400 = 11.5; (12·300 + 11·100)/400 = 11.75; (11·100 + 13·0)/100 = 11
    expect(Array.from(vwap([10, 12, 11, 13], [100, 300, 100, 0], 2))).toEqual([NaN, 11.5, 11.75, 11]);
  });

  it("bands are vwap ± k × the volume-weighted standard deviation, by hand", () => {
    // window prices 10, 12 with volumes 100, 300: vwap 11.5,
    // variance (100·1.5² + 300·0.5²)/400 = (225 + 75)/400 = 0.75, k = 2 -> 11.5 ± 2·√0.75
    const live = new RollingVwap(2, 2);
    live.update({ price: 10, volume: 100 });
    const value = live.update({ price: 12, volume: 300 });
    expect(value.vwap).toBe(11.5);
    expect(value.upper).toBeCloseTo(11.5 + 2 * Math.sqrt(0.75), 12);
    expect(value.lower).toBeCloseTo(11.5 - 2 * Math.sqrt(0.75), 12);
  });

  it("matches the obvious windowed sums on random bars", () => {
    const { close, volume } = randomBars(1_000, 3);
    volume.forEach((_, i) => (volume[i] += 1)); // keep every window traded
    for (const period of [1, 3, 20, 400]) {
      const reference = referenceBands(close, volume, period, 2);
      const live = new RollingVwap(period, 2);
      const values = close.map((price, i) => live.update({ price, volume: volume[i] }));
      expectSeriesClose(vwap(close, volume, period), reference.map((r) => r.vwap), 1e-12);
      expectSeriesClose(values.map((v) => v.upper), reference.map((r) => r.upper), 1e-10);
      expectSeriesClose(values.map((v) => v.lower), reference.map((r) => r.lower), 1e-10);
    }
  });

  it("gives NaN for a window with no volume, and recovers once volume returns", () => {
    expect(Array.from(vwap([10, 11, 12, 13], [5, 0, 0, 2], 2))).toEqual([NaN, 10, NaN, 13]);
    const noBands = new RollingVwap(1, 2).update({ price: 10, volume: 0 });
    expect([noBands.vwap, noBands.upper, noBands.lower]).toEqual([NaN, NaN, NaN]);
  });

  it("treats a missing price or volume, or a negative volume, as missing while in the window", () => {
    expect(Array.from(vwap([10, NaN, 12, 13], [1, 1, 1, 1], 2))).toEqual([NaN, NaN, NaN, 12.5]);
    expect(Array.from(vwap([10, 11, 12, 13], [1, -1, 1, 1], 2))).toEqual([NaN, NaN, NaN, 12.5]);
  });

  it("starts at index n-1; all NaN when n exceeds the length", () => {
    const { close, volume } = randomBars(50, 4);
    expect(firstDefined(vwap(close, volume.map((v) => v + 1), 10))).toBe(9);
    expect(Array.from(vwap([1, 2], [1, 1], 3))).toEqual([NaN, NaN]);
  });

  it("has zero-width bands when all prices in the window are equal", () => {
    const live = new RollingVwap(3, 2);
    const values = [100, 250, 75].map((volume) => live.update({ price: 41.37, volume }));
    expect(values[2]).toEqual({ vwap: 41.37, upper: 41.37, lower: 41.37 });
  });

  it("validates its arguments", () => {
    expect(() => vwap([1], [1, 2], 1)).toThrow(/volume has 2 values but price has 1/);
    expect(() => vwap([1], [1], 0)).toThrow(/vwap: period/);
    expect(() => new RollingVwap(5, NaN)).toThrow(/RollingVwap: k/);
  });
});
