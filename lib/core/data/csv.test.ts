import { describe, expect, it } from "vitest";
import { parseOhlcvCsv } from "./csv";
import { BarDataError, type BarDataRule } from "./errors";

const HEADER = "date,open,high,low,close,volume";
const source = "spy.csv";

function csv(...rows: string[]): string {
  return [HEADER, ...rows].join("\n");
}

function errorOf(text: string, options: Partial<Parameters<typeof parseOhlcvCsv>[1]> = {}): BarDataError {
  try {
    parseOhlcvCsv(text, { source, ...options });
  } catch (error) {
    if (error instanceof BarDataError) return error;
    throw error;
  }
  throw new Error("expected a BarDataError");
}

function expectRule(text: string, rule: BarDataRule, row: number, column?: string): BarDataError {
  const error = errorOf(text);
  expect({ rule: error.rule, row: error.row, column: error.column, source: error.source }).toEqual({
    rule,
    row,
    column,
    source,
  });
  expect(error.message).toContain(`${source}: row ${row}`);
  expect(error.message).toContain(`[${rule}]`);
  return error;
}

describe("parseOhlcvCsv: well-formed files", () => {
  it("reads bars column-wise, a date-only value meaning 00:00 UTC", () => {
    const series = parseOhlcvCsv(csv("2020-01-02,10,11,9.5,10.5,1000", "2020-01-03,10.5,12,10,11,2000"), {
      source,
      symbol: "SPY",
    });
    expect(series.symbol).toBe("SPY");
    expect(series.length).toBe(2);
    expect(Array.from(series.time)).toEqual([Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3)]);
    expect(Array.from(series.open)).toEqual([10, 10.5]);
    expect(Array.from(series.high)).toEqual([11, 12]);
    expect(Array.from(series.low)).toEqual([9.5, 10]);
    expect(Array.from(series.close)).toEqual([10.5, 11]);
    expect(Array.from(series.volume)).toEqual([1000, 2000]);
    expect(series.skipped).toEqual([]);
  });

  it("accepts a BOM, CRLF line ends, trailing blank lines, quoted fields and any header case", () => {
    const text = '\uFEFFDate,"Open",HIGH,low,Close,Volume,Note\r\n"2020-01-02",10,11,9,10,5,"a, ""quoted"" note"\r\n\r\n\r\n';
    const series = parseOhlcvCsv(text, { source });
    expect(series.length).toBe(1);
    expect(series.close[0]).toBe(10);
  });

  it("counts rows by file line, also after a quoted field that spans lines", () => {
    const text = `${HEADER},note\n2020-01-02,1,2,0.5,1,1,"two\nlines"\n2020-01-03,1,0.5,0.6,1,1,x`;
    expect(errorOf(text).row).toBe(4);
  });

  it.each([
    ["2020-01-02", Date.UTC(2020, 0, 2)],
    ["20200102", Date.UTC(2020, 0, 2)],
    ["2020-01-02T14:30:05Z", Date.UTC(2020, 0, 2, 14, 30, 5)],
    ["2020-01-02T14:30:05.250+01:00", Date.UTC(2020, 0, 2, 13, 30, 5, 250)],
    ["2020-01-02 14:30:05-0500", Date.UTC(2020, 0, 2, 19, 30, 5)],
    ["2020-01-02T14:30", Date.UTC(2020, 0, 2, 14, 30)],
    ["20200102 14:30:05", Date.UTC(2020, 0, 2, 14, 30, 5)],
    ["20200102  14:30:05 US/Eastern", Date.UTC(2020, 0, 2, 19, 30, 5)],
    ["1577975405", Date.UTC(2020, 0, 2, 14, 30, 5)],
    ["1577975405250", Date.UTC(2020, 0, 2, 14, 30, 5, 250)],
  ])("parses the time %s", (time, expected) => {
    const series = parseOhlcvCsv(csv(`${time},1,1,1,1,0`), { source });
    expect(series.time[0]).toBe(expected);
  });

  it("reads offset-less times in the given time zone, across a DST change", () => {
    const text = csv("2020-03-06,1,1,1,1,0", "2020-03-09 09:30:00,1,1,1,1,0");
    const series = parseOhlcvCsv(text, { source, timeZone: "America/New_York" });
    expect(Array.from(series.time)).toEqual([Date.UTC(2020, 2, 6, 5), Date.UTC(2020, 2, 9, 13, 30)]);
  });

  it("resolves zone-local times on ordinary days and around a DST change alike", () => {
    const text = csv(
      "2020-02-01 12:00,1,1,1,1,0", // EST, a steady day: 17:00Z
      "2020-03-07 12:00,1,1,1,1,0", // EST, the day before the change: 17:00Z
      "2020-03-08 01:00,1,1,1,1,0", // EST, an hour before clocks jump from 02:00 to 03:00: 06:00Z
      "2020-03-08 03:00,1,1,1,1,0", // EDT: 07:00Z
      "2020-03-08 12:00,1,1,1,1,0", // EDT: 16:00Z
      "2020-03-20 12:00,1,1,1,1,0", // EDT, steady again: 16:00Z
    );
    const series = parseOhlcvCsv(text, { source, timeZone: "America/New_York" });
    expect(Array.from(series.time)).toEqual([
      Date.UTC(2020, 1, 1, 17),
      Date.UTC(2020, 2, 7, 17),
      Date.UTC(2020, 2, 8, 6),
      Date.UTC(2020, 2, 8, 7),
      Date.UTC(2020, 2, 8, 16),
      Date.UTC(2020, 2, 20, 16),
    ]);
  });

  it("accepts a timestamp, datetime or time column, or a date column plus a time column", () => {
    for (const name of ["Timestamp", "datetime", "Time"]) {
      const text = `${name},open,high,low,close,volume\n2020-01-02T10:00Z,1,1,1,1,0`;
      expect(parseOhlcvCsv(text, { source }).time[0]).toBe(Date.UTC(2020, 0, 2, 10));
    }
    const split = "Date,Time,Open,High,Low,Close,Volume\n2020-01-02,10:00:00,1,1,1,1,0";
    expect(parseOhlcvCsv(split, { source }).time[0]).toBe(Date.UTC(2020, 0, 2, 10));
  });

  it("uses close by default and, on request, scales OHLC by Adj Close / Close (Yahoo files)", () => {
    const text = "Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,100,110,90,100,50,7";
    const raw = parseOhlcvCsv(text, { source });
    expect([raw.open[0], raw.close[0]]).toEqual([100, 100]);
    const adjusted = parseOhlcvCsv(text, { source, closeColumn: "adjClose" });
    // factor 50/100 = 0.5
    expect([adjusted.open[0], adjusted.high[0], adjusted.low[0], adjusted.close[0], adjusted.volume[0]]).toEqual([
      50, 55, 45, 50, 7,
    ]);
  });

  it("returns an empty series for a header with no rows", () => {
    expect(parseOhlcvCsv(HEADER, { source }).length).toBe(0);
  });
});

describe("parseOhlcvCsv: every validation rule", () => {
  it("empty-file", () => {
    expectRule("", "empty-file", 1);
    expectRule("\n\n", "empty-file", 1);
  });

  it("missing-column: each OHLCV column, the time column, and Adj Close when asked for", () => {
    for (const drop of ["open", "high", "low", "close", "volume"]) {
      const header = HEADER.split(",").filter((name) => name !== drop);
      const error = expectRule(header.join(","), "missing-column", 1);
      expect(error.message).toContain(`"${drop}"`);
    }
    expectRule("when,open,high,low,close,volume", "missing-column", 1);
    expect(errorOf(HEADER, { closeColumn: "adjClose" }).rule).toBe("missing-column");
  });

  it("duplicate-column and ambiguous-time-column", () => {
    expectRule("date,open,Open,high,low,close,volume", "duplicate-column", 1, "Open");
    expectRule("date,timestamp,open,high,low,close,volume", "ambiguous-time-column", 1);
  });

  it("malformed-quote", () => {
    expectRule(csv('2020-01-02,"10,11,9,10,1'), "malformed-quote", 2);
    expectRule(csv('2020-01-02,"10"x,11,9,10,1'), "malformed-quote", 2);
  });

  it("blank-row in the middle of the data (trailing blank lines are fine)", () => {
    expectRule(csv("2020-01-02,1,1,1,1,1", "", "2020-01-03,1,1,1,1,1"), "blank-row", 3);
    expect(parseOhlcvCsv(csv("2020-01-02,1,1,1,1,1", "", "", ""), { source }).length).toBe(1);
  });

  it("column-count", () => {
    expectRule(csv("2020-01-02,1,1,1,1"), "column-count", 2);
    expectRule(csv("2020-01-02,1,1,1,1,1,1"), "column-count", 2);
  });

  it("empty-cell, in a price column and in the time column", () => {
    expectRule(csv("2020-01-02,1,,1,1,1"), "empty-cell", 2, "high");
    expectRule(csv(",1,1,1,1,1"), "empty-cell", 2, "date");
  });

  it("not-a-number: words, NaN, thousands separators", () => {
    expectRule(csv("2020-01-02,abc,1,1,1,1"), "not-a-number", 2, "open");
    expectRule(csv("2020-01-02,1,1,1,NaN,1"), "not-a-number", 2, "close");
    expectRule(csv('2020-01-02,1,1,1,1,"1,000"'), "not-a-number", 2, "volume");
    expectRule(csv("2020-01-02,1,1e400,1,1,1"), "not-a-number", 2, "high");
  });

  it("unparseable-time: garbage, impossible dates, unknown zones", () => {
    expectRule(csv("yesterday,1,1,1,1,1"), "unparseable-time", 2, "date");
    expectRule(csv("2021-02-30,1,1,1,1,1"), "unparseable-time", 2, "date");
    expectRule(csv("2021-01-01T25:00,1,1,1,1,1"), "unparseable-time", 2, "date");
    expectRule(csv("20210101 10:00:00 Mars/Olympus,1,1,1,1,1"), "unparseable-time", 2, "date");
    expectRule(csv("99999999999999999999,1,1,1,1,1"), "unparseable-time", 2, "date");
  });

  it("non-increasing-time: a repeat and a step back", () => {
    expectRule(csv("2020-01-02,1,1,1,1,1", "2020-01-02,1,1,1,1,1"), "non-increasing-time", 3, "date");
    expectRule(csv("2020-01-03,1,1,1,1,1", "2020-01-02,1,1,1,1,1"), "non-increasing-time", 3, "date");
  });

  it("high-below-open-close, low-above-open-close, high-below-low", () => {
    expectRule(csv("2020-01-02,10,9.5,9,9.2,1"), "high-below-open-close", 2, "high");
    expectRule(csv("2020-01-02,10,11,9,11.5,1"), "high-below-open-close", 2, "high");
    expectRule(csv("2020-01-02,10,11,10.2,10.5,1"), "low-above-open-close", 2, "low");
    expectRule(csv("2020-01-02,10,9,11,10,1"), "high-below-low", 2, "high");
  });

  it("negative-volume", () => {
    expectRule(csv("2020-01-02,1,1,1,1,-5"), "negative-volume", 2, "volume");
  });

  it("checks Adj Close like the other prices, and refuses an adjustment it cannot make", () => {
    const yahoo = (close: string, adjClose: string) =>
      `Date,Open,High,Low,Close,Adj Close,Volume\n2020-01-02,100,110,90,${close},${adjClose},7`;
    const notANumber = errorOf(yahoo("100", "abc"), { closeColumn: "adjClose" });
    expect([notANumber.rule, notANumber.column]).toEqual(["not-a-number", "Adj Close"]);
    for (const [close, adjClose] of [
      ["0", "50"],
      ["100", "0"],
      ["100", "-3"],
    ]) {
      const error = errorOf(yahoo(close, adjClose), { closeColumn: "adjClose" });
      expect([error.rule, error.row, error.column]).toEqual(["invalid-adjustment", 2, "Adj Close"]);
    }
  });
});

describe("parseOhlcvCsv: options", () => {
  it("skips invalid rows on request and reports each with its row, column and rule", () => {
    const text = csv(
      "2020-01-02,1,1,1,1,1",
      "2020-01-03,1,0.5,1,1,1",
      "2020-01-02,1,1,1,1,1",
      "2020-01-04,1,1,1,x,1",
      "2020-01-05,2,2,2,2,2",
    );
    const series = parseOhlcvCsv(text, { source, onInvalidRow: "skip" });
    expect(Array.from(series.close)).toEqual([1, 2]);
    expect(series.skipped.map(({ row, column, rule }) => ({ row, column, rule }))).toEqual([
      { row: 3, column: "high", rule: "high-below-low" },
      { row: 4, column: "date", rule: "non-increasing-time" },
      { row: 5, column: "close", rule: "not-a-number" },
    ]);
    expect(series.skipped[0].message).toMatch(/^spy\.csv: row 3, column "high": /);
  });

  it("still throws on header problems when skipping rows", () => {
    expect(() => parseOhlcvCsv("date,open", { source, onInvalidRow: "skip" })).toThrow(BarDataError);
  });

  it("rejects bad options with a message naming the option", () => {
    expect(() => parseOhlcvCsv(HEADER, { source: "" })).toThrow(/source/);
    expect(() => parseOhlcvCsv(HEADER, { source, timeZone: "Nowhere/City" })).toThrow(/timeZone.*Nowhere\/City/);
    // @ts-expect-error an unknown policy is a type error and a runtime error
    expect(() => parseOhlcvCsv(HEADER, { source, onInvalidRow: "fill" })).toThrow(/onInvalidRow/);
  });
});
