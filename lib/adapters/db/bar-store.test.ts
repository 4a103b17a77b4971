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
