import { describe, expect, it } from "vitest";
import { type Bar, barAt, seriesFromBars, sliceSeries } from "./bars";

const bars: Bar[] = [1, 2, 3, 4].map((i) => ({
  time: Date.UTC(2024, 0, i),
  open: 10 * i,
  high: 10 * i + 2,
  low: 10 * i - 1,
  close: 10 * i + 1,
  volume: 100 * i,
}));

describe("bar series", () => {
  it("round-trips bars through the column-wise form", () => {
    const series = seriesFromBars(bars, "AAPL");
    expect(series.symbol).toBe("AAPL");
    expect(series.length).toBe(4);
    expect(Array.from(series.close)).toEqual([11, 21, 31, 41]);
    expect(bars.map((_, i) => barAt(series, i))).toEqual(bars);
  });

  it("leaves the symbol out when none is given", () => {
    expect("symbol" in seriesFromBars(bars)).toBe(false);
  });

  it("rejects an index outside the series", () => {
    const series = seriesFromBars(bars);
    for (const bad of [-1, 4, 1.5]) expect(() => barAt(series, bad)).toThrow(/outside the series/);
  });

  it("slices like Array.prototype.slice, sharing memory with the original", () => {
    const series = seriesFromBars(bars, "AAPL");
    const middle = sliceSeries(series, 1, 3);
    expect(middle.length).toBe(2);
    expect(middle.symbol).toBe("AAPL");
    expect(barAt(middle, 0)).toEqual(bars[1]);
    expect(Array.from(sliceSeries(series, -2).open)).toEqual([30, 40]);
    expect(sliceSeries(series, 3, 1).length).toBe(0);
    expect(sliceSeries(series).length).toBe(4);
    middle.close[0] = 0;
    expect(series.close[1]).toBe(0);
  });
});
