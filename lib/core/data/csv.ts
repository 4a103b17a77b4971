import { z } from "zod";
import { isValidTimeZone } from "../time/zoned-time";
import type { BarSeries } from "./bars";
import { type CsvRecord, isBlank, splitCsvRecords } from "./csv-records";
import { BarDataError, type BarDataProblem, describeProblem } from "./errors";
import { parseTimestamp } from "./timestamps";

const optionsSchema = z.object({
  /** Names the data in error messages, usually the file name. */
  source: z.string().min(1, "source must name the data (e.g. the file name)"),
  symbol: z.string().min(1).optional(),
  /** IANA zone for timestamps without an offset (date-only values mean 00:00 there). */
  timeZone: z
    .string()
    .refine(isValidTimeZone, { error: (issue) => `"${String(issue.input)}" is not an IANA time zone` })
    .default("UTC"),
  /**
   * "close" (default) takes prices as they are; "adjClose" scales open, high, low and close by
   * adjClose/close on each row, as for Yahoo-style split- and dividend-adjusted history.
   */
  closeColumn: z.enum(["close", "adjClose"]).default("close"),
  /** "error" (default) throws on the first bad row; "skip" leaves bad rows out and lists them. */
  onInvalidRow: z.enum(["error", "skip"]).default("error"),
});

export type OhlcvCsvOptions = z.input<typeof optionsSchema>;

export interface SkippedRow extends BarDataProblem {
  readonly message: string;
}

/** The parsed bars, plus the rows left out when `onInvalidRow` is "skip" (empty otherwise). */
export interface OhlcvCsvResult extends BarSeries {
  readonly skipped: readonly SkippedRow[];
}

/**
 * Parses OHLCV bars from CSV text. Pure: the caller reads the file and passes its text.
 * Header names are case-insensitive (spaces and underscores ignored); the time column is
 * `date`, `time`, `datetime` or `timestamp` (a `date` column plus a `time` column are joined).
 * Other columns are ignored. Every row must have numeric open/high/low/close/volume, a
 * parseable time later than the previous row's, high >= max(open, close), low <= min(open, close),
 * high >= low and volume >= 0. A violation throws a BarDataError, or with `onInvalidRow: "skip"`
 * drops that row and reports it in `skipped`; nothing is ever filled in.
 */
export function parseOhlcvCsv(text: string, options: OhlcvCsvOptions): OhlcvCsvResult {
  const settings = parseOptions(options);
  const fail = (problem: BarDataProblem): never => {
    throw new BarDataError(settings.source, problem);
  };
  const records = splitCsvRecords(text);
  if (!Array.isArray(records)) return fail(records);
  if (records.length === 0 || isBlank(records[0])) {
    return fail({ row: 1, rule: "empty-file", detail: "there is no header row" });
  }
  const layout = readHeader(records[0], settings);
  if ("rule" in layout) return fail(layout);

  const columns = new SeriesBuilder(records.length - 1);
  const skipped: SkippedRow[] = [];
  let previousTime = -Infinity;
  for (const record of records.slice(1)) {
    const bar = readBar(record, layout, settings, previousTime);
    if ("rule" in bar) {
      if (settings.onInvalidRow === "error") fail(bar);
      skipped.push({ ...bar, message: describeProblem(settings.source, bar) });
      continue;
    }
    columns.push(bar);
    previousTime = bar.time;
  }
  return { ...(settings.symbol === undefined ? {} : { symbol: settings.symbol }), ...columns.build(), skipped };
}

type Settings = z.output<typeof optionsSchema>;

function parseOptions(options: OhlcvCsvOptions): Settings {
  const parsed = optionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "options"}: ${issue.message}`);
  throw new TypeError(`parseOhlcvCsv options are invalid: ${issues.join("; ")}`);
}

const PRICE_FIELDS = ["open", "high", "low", "close", "volume"] as const;
const TIME_HEADERS = ["datetime", "timestamp", "date", "time"] as const;

/** Where each needed value sits in a row, and the header's own spelling for messages. */
interface Layout {
  width: number;
  time: number[];
  fields: Record<(typeof PRICE_FIELDS)[number] | "adjClose", { index: number; name: string } | undefined>;
  names: readonly string[];
}

function normalizeHeader(name: string): string {
  return name.toLowerCase().replace(/[\s_]+/g, "");
}

function readHeader(header: CsvRecord, settings: Settings): Layout | BarDataProblem {
  const positions = new Map<string, number[]>();
  header.fields.forEach((name, index) => {
    const key = normalizeHeader(name);
    positions.set(key, [...(positions.get(key) ?? []), index]);
  });
  const column = (key: string) => {
    const index = positions.get(key)?.[0];
    return index === undefined ? undefined : { index, name: header.fields[index] };
  };

  for (const key of [...PRICE_FIELDS, "adjclose", ...TIME_HEADERS]) {
    const indexes = positions.get(key) ?? [];
    if (indexes.length > 1) {
      return { row: 1, column: header.fields[indexes[1]], rule: "duplicate-column", detail: "the column appears twice" };
    }
  }
  const required = settings.closeColumn === "adjClose" ? [...PRICE_FIELDS, "adjclose"] : PRICE_FIELDS;
  const missing = required.find((key) => !positions.has(key));
  if (missing) return { row: 1, rule: "missing-column", detail: `there is no "${missing}" column` };
  const time = pickTimeColumns(TIME_HEADERS.filter((key) => positions.has(key)));
  if (time === "none") {
    return { row: 1, rule: "missing-column", detail: "there is no date/time column (date, time, datetime or timestamp)" };
  }
  if (time === "ambiguous") {
    return { row: 1, rule: "ambiguous-time-column", detail: "there are several time columns; keep one (or date plus time)" };
  }
  return {
    width: header.fields.length,
    time: time.map((key) => positions.get(key)![0]),
    fields: {
      open: column("open"),
      high: column("high"),
      low: column("low"),
      close: column("close"),
      volume: column("volume"),
      adjClose: column("adjclose"),
    },
    names: header.fields,
  };
}

/** The time column(s) to read: one of them, or a date column joined with a time column. */
function pickTimeColumns(present: readonly string[]): readonly string[] | "none" | "ambiguous" {
  if (present.length === 0) return "none";
  if (present.length === 1) return present;
  if (present.length === 2 && present.includes("date") && present.includes("time")) return ["date", "time"];
  return "ambiguous";
}

interface ParsedBar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

function readBar(record: CsvRecord, layout: Layout, settings: Settings, previousTime: number): ParsedBar | BarDataProblem {
  const row = record.line;
  if (isBlank(record)) return { row, rule: "blank-row", detail: "the row is empty" };
  if (record.fields.length !== layout.width) {
    return {
      row,
      rule: "column-count",
      detail: `the row has ${record.fields.length} fields but the header has ${layout.width}`,
    };
  }
  const values: Partial<Record<keyof Layout["fields"], number>> = {};
  for (const key of [...PRICE_FIELDS, "adjClose"] as const) {
    const column = layout.fields[key];
    if (!column || (key === "adjClose" && settings.closeColumn !== "adjClose")) continue;
    const cell = record.fields[column.index];
    if (cell === "") return { row, column: column.name, rule: "empty-cell", detail: "the cell is empty" };
    const value = Number(cell);
    if (!NUMBER.test(cell) || !Number.isFinite(value)) {
      return { row, column: column.name, rule: "not-a-number", detail: `"${cell}" is not a finite number` };
    }
    values[key] = value;
  }
  const time = readTime(record, layout, settings.timeZone);
  if (typeof time !== "number") return { row, ...time };
  if (time <= previousTime) {
    return {
      row,
      column: layout.names[layout.time[0]],
      rule: "non-increasing-time",
      detail: `${new Date(time).toISOString()} is not later than the previous row's ${new Date(previousTime).toISOString()}`,
    };
  }
  const prices = values as Record<keyof Layout["fields"], number>;
  if (settings.closeColumn === "adjClose" && !(prices.close > 0 && prices.adjClose > 0)) {
    const detail = `cannot scale by Adj Close / Close = ${prices.adjClose} / ${prices.close}; both must be > 0`;
    return { row, column: layout.fields.adjClose?.name, rule: "invalid-adjustment", detail };
  }
  const bar = { time, ...adjust(prices, settings) };
  const broken = checkBarShape(bar, layout);
  return broken ? { row, ...broken } : bar;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function readTime(record: CsvRecord, layout: Layout, timeZone: string): number | Omit<BarDataProblem, "row"> {
  const column = layout.names[layout.time[0]];
  const cells = layout.time.map((index) => record.fields[index]);
  if (cells.some((cell) => cell === "")) return { column, rule: "empty-cell", detail: "the time cell is empty" };
  const text = cells.join(" ");
  const time = parseTimestamp(text, timeZone);
  return time ?? { column, rule: "unparseable-time", detail: `"${text}" is not a date or time this parser accepts` };
}

function adjust(values: Record<keyof Layout["fields"], number>, settings: Settings): Omit<ParsedBar, "time"> {
  const { open, high, low, close, volume, adjClose } = values;
  if (settings.closeColumn !== "adjClose") return { open, high, low, close, volume };
  const factor = adjClose / close;
  return { open: open * factor, high: high * factor, low: low * factor, close: adjClose, volume };
}

function checkBarShape(bar: ParsedBar, layout: Layout): Omit<BarDataProblem, "row"> | undefined {
  const name = (key: keyof Layout["fields"]) => layout.fields[key]?.name ?? key;
  if (bar.high < bar.low) {
    return { column: name("high"), rule: "high-below-low", detail: `high ${bar.high} is below low ${bar.low}` };
  }
  if (bar.high < Math.max(bar.open, bar.close)) {
    const detail = `high ${bar.high} is below max(open ${bar.open}, close ${bar.close})`;
    return { column: name("high"), rule: "high-below-open-close", detail };
  }
  if (bar.low > Math.min(bar.open, bar.close)) {
    const detail = `low ${bar.low} is above min(open ${bar.open}, close ${bar.close})`;
    return { column: name("low"), rule: "low-above-open-close", detail };
  }
  if (bar.volume < 0) {
    return { column: name("volume"), rule: "negative-volume", detail: `volume ${bar.volume} is negative` };
  }
  return undefined;
}

/** Column arrays sized for the most rows the file can give, trimmed to the rows accepted. */
class SeriesBuilder {
  private readonly columns: Record<keyof ParsedBar, Float64Array>;
  private length = 0;

  constructor(capacity: number) {
    const column = () => new Float64Array(capacity);
    this.columns = { time: column(), open: column(), high: column(), low: column(), close: column(), volume: column() };
  }

  push(bar: ParsedBar): void {
    for (const key of Object.keys(this.columns) as (keyof ParsedBar)[]) this.columns[key][this.length] = bar[key];
    this.length++;
  }

  build(): Omit<BarSeries, "symbol"> {
    const trim = (column: Float64Array) => column.slice(0, this.length);
    const { time, open, high, low, close, volume } = this.columns;
    return {
      length: this.length,
      time: trim(time),
      open: trim(open),
      high: trim(high),
      low: trim(low),
      close: trim(close),
      volume: trim(volume),
    };
  }
}
