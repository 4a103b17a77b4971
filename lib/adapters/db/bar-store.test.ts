import { describe, expect, it } from "vitest";
import { scratchPrismaForSuite } from "@/test/db";
import { findSeries, hashBars, importCsvBars, loadBars, saveBars, seriesKey } from "./bar-store";
import { seriesFromBars } from "@/lib/core/data/bars";

const scratch = scratchPrismaForSuite();

const CSV = `date,open,high,low,close,volume
2024-01-02,10,11,9.5,10.5,1000
2024-01-03,10.5,12,10,11.75,1200
2024-01-04,11.75,11.8,11,11.1,900
`;

describe("bar store", () => {
  it("imports a CSV once and loads it back exactly, by span", async () => {
    const stored = await importCsvBars(scratch.prisma, { text: CSV, fileName: "abc.csv", symbol: "abc", barSize: "1 day" });
    expect(stored).toMatchObject({ symbol: "ABC", barCount: 3, firstTime: Date.UTC(2024, 0, 2), lastTime: Date.UTC(2024, 0, 4) });
    const again = await importCsvBars(scratch.prisma, { text: CSV, fileName: "abc.csv", symbol: "ABC", barSize: "1 day" });
    expect(again.id).toBe(stored.id);
    expect(again.barCount).toBe(3);
    expect(again.dataHash).toBe(stored.dataHash);

    const all = await loadBars(scratch.prisma, stored.id);
    expect(Array.from(all.close)).toEqual([10.5, 11.75, 11.1]);
    expect(hashBars(all)).toBe(stored.dataHash);
    const middle = await loadBars(scratch.prisma, stored.id, { from: Date.UTC(2024, 0, 3), to: Date.UTC(2024, 0, 4) });
    expect(Array.from(middle.time)).toEqual([Date.UTC(2024, 0, 3)]);
  });

  it("loads every column exactly, whole, in a span and in an empty span, in time order", async () => {
    const times = [Date.UTC(2024, 0, 4, 14, 30), Date.UTC(2024, 0, 2, 14, 30), Date.UTC(2024, 0, 3, 14, 30)];
    const column = (offset: number) => Float64Array.from(times, (_, index) => 100 + offset + index * 0.25);
    const bars = { length: times.length, time: Float64Array.from(times), open: column(0), high: column(1), low: column(-1), close: column(0.5), volume: Float64Array.of(1_000, 2_500.5, 0) };
    const stored = await saveBars(scratch.prisma, { symbol: "COLS", barSize: "1 hour", source: "test" }, bars);
    const inTimeOrder = [1, 2, 0];
    const expected = (indexes: number[]) => {
      const pick = (values: Float64Array) => Array.from(indexes, (index) => values[index]);
      return { length: indexes.length, time: pick(bars.time), open: pick(bars.open), high: pick(bars.high), low: pick(bars.low), close: pick(bars.close), volume: pick(bars.volume) };
    };
    const asArrays = (series: Awaited<ReturnType<typeof loadBars>>) => ({
      length: series.length,
      time: Array.from(series.time),
      open: Array.from(series.open),
      high: Array.from(series.high),
      low: Array.from(series.low),
      close: Array.from(series.close),
      volume: Array.from(series.volume),
    });
    expect(asArrays(await loadBars(scratch.prisma, stored.id))).toEqual(expected(inTimeOrder));
    expect(asArrays(await loadBars(scratch.prisma, stored.id, { from: times[2] }))).toEqual(expected([2, 0]));
    expect(asArrays(await loadBars(scratch.prisma, stored.id, { to: times[2] }))).toEqual(expected([1]));
    expect(asArrays(await loadBars(scratch.prisma, stored.id, { from: times[0] + 1 }))).toEqual(expected([]));
  });

  it("merges overlapping saves by time and changes the hash when the data changes", async () => {
    const identity = { symbol: "XYZ", barSize: "1 min", source: "ibkr" };
    const bar = (time: number, close: number) => ({ time, open: close, high: close, low: close, close, volume: 1 });
    const first = await saveBars(scratch.prisma, identity, seriesFromBars([bar(1000, 1), bar(2000, 2)]));
    const second = await saveBars(scratch.prisma, identity, seriesFromBars([bar(2000, 2.5), bar(3000, 3)]));
    expect(second.id).toBe(first.id);
    expect(second.barCount).toBe(3);
    expect(second.dataHash).not.toBe(first.dataHash);
    expect(Array.from((await loadBars(scratch.prisma, second.id)).close)).toEqual([1, 2.5, 3]);
    expect((await findSeries(scratch.prisma, identity))?.id).toBe(first.id);
    expect(seriesKey(identity)).toBe("XYZ|1 min|ibkr");
  });

  it("rejects a bad CSV row and a bad identity with messages naming the problem", async () => {
    await expect(importCsvBars(scratch.prisma, { text: "date,open,high,low,close,volume\n2024-01-02,1,0.5,1,1,1\n", fileName: "bad.csv", symbol: "B", barSize: "1 day" })).rejects.toThrow(/bad\.csv/);
    await expect(saveBars(scratch.prisma, { symbol: "", barSize: "1 day", source: "csv" }, seriesFromBars([]))).rejects.toThrow(/symbol is required/);
  });
});
