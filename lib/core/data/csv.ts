import { z } from "zod";
import { isValidTimeZone } from "../time/zoned-time";
import type { Bar, BarSeries } from "./bars";
import { type CsvRecord, csvRecords, isBlank } from "./csv-records";
import { BarDataError, type BarDataProblem, describeProblem } from "./errors";
import { timestampParser } from "./timestamps";

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
  const records = csvRecords(text);
  const first = records.next();
  const header = first.done ? undefined : first.value;
  if (header && "rule" in header) return fail(header);
  if (!header || isBlank(header)) return fail({ row: 1, rule: "empty-file", detail: "there is no header row" });
  const layout = readHeader(header, settings);
  if ("rule" in layout) return fail(layout);

  const columns = new SeriesBuilder(estimateRows(text));
  const skipped: SkippedRow[] = [];
  const reject = (problem: BarDataProblem) => {
    if (settings.onInvalidRow === "error") fail(problem);
    skipped.push({ ...problem, message: describeProblem(settings.source, problem) });
  };
  const context: RowContext = { layout, settings, parseTime: timestampParser(settings.timeZone) };
  const blankLines: number[] = [];
  let previousTime = -Infinity;
  for (const record of records) {
    if ("rule" in record) return fail(record);
    if (isBlank(record)) {
      blankLines.push(record.line);
      continue;
    }
    // A blank line followed by data is a problem; blank lines at the end of the file are not.
    for (const row of blankLines.splice(0)) reject({ row, rule: "blank-row", detail: "the row is empty" });
    const bar = readBar(record, context, previousTime);
    if ("rule" in bar) {
      reject(bar);
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

interface RowContext {
  layout: Layout;
  settings: Settings;
  parseTime: (text: string) => number | undefined;
}

function readBar(record: CsvRecord, context: RowContext, previousTime: number): Bar | BarDataProblem {
  const { layout, settings } = context;
  const row = record.line;
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
  const time = readTime(record, layout, context.parseTime);
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

function readTime(
  record: CsvRecord,
  layout: Layout,
  parseTime: RowContext["parseTime"],
): number | Omit<BarDataProblem, "row"> {
  const column = layout.names[layout.time[0]];
  const cells = layout.time.map((index) => record.fields[index]);
  if (cells.some((cell) => cell === "")) return { column, rule: "empty-cell", detail: "the time cell is empty" };
  const text = cells.join(" ");
  const time = parseTime(text);
  return time ?? { column, rule: "unparseable-time", detail: `"${text}" is not a date or time this parser accepts` };
}

function adjust(values: Record<keyof Layout["fields"], number>, settings: Settings): Omit<Bar, "time"> {
  const { open, high, low, close, volume, adjClose } = values;
  if (settings.closeColumn !== "adjClose") return { open, high, low, close, volume };
  const factor = adjClose / close;
  return { open: open * factor, high: high * factor, low: low * factor, close: adjClose, volume };
}

function checkBarShape(bar: Bar, layout: Layout): Omit<BarDataProblem, "row"> | undefined {
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

/** An upper bound on the data rows: one per line break, plus a last line without one. */
function estimateRows(text: string): number {
  let lineBreaks = 0;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) lineBreaks++;
  return lineBreaks > 0 ? lineBreaks : text.split("\r").length;
}

/** Column arrays sized for the most rows the file can hold, trimmed to the rows accepted. */
class SeriesBuilder {
  private readonly columns: Record<keyof Bar, Float64Array>;
  private length = 0;

  constructor(capacity: number) {
    const column = () => new Float64Array(capacity);
    this.columns = { time: column(), open: column(), high: column(), low: column(), close: column(), volume: column() };
  }

  push(bar: Bar): void {
    const { time, open, high, low, close, volume } = this.columns;
    time[this.length] = bar.time;
    open[this.length] = bar.open;
    high[this.length] = bar.high;
    low[this.length] = bar.low;
    close[this.length] = bar.close;
    volume[this.length] = bar.volume;
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
