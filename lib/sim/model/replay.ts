/**
 * OHLCV replay: bars from a CSV file drive an instrument's price instead of the random walk.
 * Inside each bar the price travels open -> low -> high -> close (or open -> high -> low ->
 * close on a down bar), so every tick stays within the bar's range.
 */
import { z } from "zod";
import type { Bar } from "./history";
import { roundToTick } from "./prices";

export interface ReplayRow extends Bar {
  symbol: string;
}

const TIME_COLUMNS = ["time", "date", "datetime", "timestamp"];

const number = (column: string) => z.coerce.number({ message: `${column} must be a number` }).refine(Number.isFinite, `${column} must be finite`);
const rowSchema = z
  .object({ open: number("open").positive(), high: number("high").positive(), low: number("low").positive(), close: number("close").positive(), volume: number("volume").min(0) })
  .refine((row) => row.high >= Math.max(row.open, row.close, row.low) && row.low <= Math.min(row.open, row.close), "high/low must bound open and close");

/** Epoch seconds or milliseconds, ISO-8601, `yyyyMMdd`, or `yyyyMMdd HH:mm:ss` (UTC). */
export function parseBarTime(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d{9,10}$/.test(trimmed)) return Number(trimmed) * 1000;
  if (/^\d{12,13}$/.test(trimmed)) return Number(trimmed);
  const compact = /^(\d{4})(\d{2})(\d{2})(?:[ -](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(trimmed);
  if (compact) {
    const [, year, month, day, hour = "0", minute = "0", second = "0"] = compact;
    return Date.UTC(+year, +month - 1, +day, +hour, +minute, +second);
  }
  const parsed = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(trimmed) ? trimmed : `${trimmed.replace(" ", "T")}Z`);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * Parses `[symbol,]time,open,high,low,close,volume` with a header row (any column order,
 * case-insensitive). Rows without a symbol column belong to `defaultSymbol`.
 */
export function parseOhlcvCsv(text: string, source: string, defaultSymbol?: string): ReplayRow[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  if (lines.length < 2) throw new Error(`${source}: expected a header row and at least one bar`);
  const header = lines[0].split(",").map((name) => name.trim().toLowerCase());
  const column = (names: string[]) => header.findIndex((name) => names.includes(name));
  const timeColumn = column(TIME_COLUMNS);
  const symbolColumn = column(["symbol", "ticker"]);
  const priceColumns = ["open", "high", "low", "close", "volume"].map((name) => [name, column([name])] as const);
  const missing = [...(timeColumn < 0 ? ["time"] : []), ...priceColumns.filter(([, index]) => index < 0).map(([name]) => name)];
  if (missing.length > 0) throw new Error(`${source}: missing column(s) ${missing.join(", ")}`);
  if (symbolColumn < 0 && !defaultSymbol) throw new Error(`${source}: no symbol column, and no symbol to assume`);
  return lines.slice(1).map((line, index) => {
    const cells = line.split(",").map((cell) => cell.trim());
    const where = `${source} line ${index + 2}`;
    const time = parseBarTime(cells[timeColumn] ?? "");
    if (time === undefined) throw new Error(`${where}: time "${cells[timeColumn]}" is not a recognised date/time`);
    const parsed = rowSchema.safeParse(Object.fromEntries(priceColumns.map(([name, at]) => [name, cells[at]])));
    if (!parsed.success) throw new Error(`${where}: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "row"}: ${issue.message}`).join("; ")}`);
    const symbol = (symbolColumn >= 0 ? cells[symbolColumn] : (defaultSymbol ?? "")).toUpperCase();
    if (!symbol) throw new Error(`${where}: empty symbol`);
    return { symbol, time, ...parsed.data };
  });
}

/** Price inside a bar at `fraction` (0..1) of its length, rounded to the tick. */
export function priceWithinBar(bar: Bar, fraction: number, tick: number): number {
  const up = bar.close >= bar.open;
  const path = up ? [bar.open, bar.low, bar.high, bar.close] : [bar.open, bar.high, bar.low, bar.close];
  const position = Math.min(Math.max(fraction, 0), 1) * (path.length - 1);
  const segment = Math.min(Math.floor(position), path.length - 2);
  const within = position - segment;
  return roundToTick(path[segment] + (path[segment + 1] - path[segment]) * within, tick);
}

/** Bars of one instrument in time order; answers the replayed price at any instant. */
export class ReplayTrack {
  readonly bars: Bar[];
  private readonly barMs: number;

  constructor(rows: readonly Bar[]) {
    this.bars = [...rows].sort((a, b) => a.time - b.time);
    const gaps = this.bars.slice(1).map((bar, index) => bar.time - this.bars[index].time).filter((gap) => gap > 0);
    this.barMs = gaps.length > 0 ? Math.min(...gaps) : 60_000;
  }

  get start(): number {
    return this.bars[0]?.time ?? 0;
  }

  /** The replayed price at `time`: inside the bar that covers it, else the nearest bar's close or open. */
  priceAt(time: number, tick: number): number {
    let low = 0;
    let high = this.bars.length - 1;
    if (time < this.bars[0].time) return this.bars[0].open;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (this.bars[middle].time <= time) low = middle;
      else high = middle - 1;
    }
    const bar = this.bars[low];
    const fraction = (time - bar.time) / this.barMs;
    return fraction >= 1 ? bar.close : priceWithinBar(bar, fraction, tick);
  }
}
