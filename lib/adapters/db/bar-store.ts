import { createHash } from "node:crypto";
import { z } from "zod";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { BarSeries } from "@/lib/core/data/bars";
import { parseOhlcvCsv, type OhlcvCsvOptions } from "@/lib/core/data/csv";
import { isValidTimeZone } from "@/lib/core/time/zoned-time";
import { readFloat8Array } from "./float8-array";

/**
 * The one place stored price history lives: CSV imports and cached broker history alike. A
 * series is identified by symbol, bar size and source; saving bars that are already stored
 * replaces them by time, so a re-import or an overlapping download never duplicates a bar.
 */

export const seriesIdentitySchema = z.object({
  symbol: z.string().trim().min(1, "symbol is required").max(32, "symbol is at most 32 characters"),
  barSize: z.string().trim().min(1, 'barSize is required, e.g. "1 day" or "1 min"').max(32),
  source: z.string().trim().min(1, 'source is required, e.g. "csv" or "ibkr"').max(64),
  timeZone: z
    .string()
    .refine(isValidTimeZone, { error: (issue) => `timeZone "${String(issue.input)}" is not an IANA time zone` })
    .default("UTC"),
});

export type SeriesIdentity = z.input<typeof seriesIdentitySchema>;

export interface StoredSeries {
  readonly id: number;
  readonly key: string;
  readonly symbol: string;
  readonly barSize: string;
  readonly source: string;
  readonly timeZone: string;
  readonly barCount: number;
  readonly firstTime: number | null;
  readonly lastTime: number | null;
  readonly dataHash: string;
}

/** A time span of a series, epoch ms: from inclusive, to exclusive; either end may be open. */
export interface BarSpan {
  readonly from?: number;
  readonly to?: number;
}

const INSERT_BATCH = 5_000;

export function seriesKey(identity: SeriesIdentity): string {
  const { symbol, barSize, source } = seriesIdentitySchema.parse(identity);
  return `${symbol.toUpperCase()}|${barSize}|${source}`;
}

/** SHA-256 over the bars' columns in order: equal bars give equal hashes on every machine. */
export function hashBars(bars: BarSeries): string {
  const hash = createHash("sha256");
  for (const column of [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume]) {
    hash.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  return hash.digest("hex");
}

/** Stores bars under a series (created on first use), replacing stored bars with the same times. */
export async function saveBars(prisma: PrismaClient, identity: SeriesIdentity, bars: BarSeries): Promise<StoredSeries> {
  const parsed = seriesIdentitySchema.parse(identity);
  const key = seriesKey(parsed);
  const series = await prisma.barSeries.upsert({
    where: { key },
    create: { key, symbol: parsed.symbol.toUpperCase(), barSize: parsed.barSize, source: parsed.source, timeZone: parsed.timeZone, barCount: 0, dataHash: "" },
    update: { timeZone: parsed.timeZone },
  });
  for (let start = 0; start < bars.length; start += INSERT_BATCH) {
    await insertBatch(prisma, series.id, bars, start, Math.min(bars.length, start + INSERT_BATCH));
  }
  return refreshSummary(prisma, series.id);
}

async function insertBatch(prisma: PrismaClient, seriesId: number, bars: BarSeries, start: number, end: number): Promise<void> {
  const column = (values: Float64Array) => Array.from(values.subarray(start, end));
  const times = Array.from(bars.time.subarray(start, end), (time) => String(Math.round(time)));
  await prisma.$executeRaw`
    INSERT INTO stored_bars (series_id, time, open, high, low, close, volume)
    SELECT ${seriesId}, t, o, h, l, c, v
    FROM unnest(${times}::bigint[], ${column(bars.open)}::float8[], ${column(bars.high)}::float8[],
                ${column(bars.low)}::float8[], ${column(bars.close)}::float8[], ${column(bars.volume)}::float8[]) AS b(t, o, h, l, c, v)
    ON CONFLICT (series_id, time) DO UPDATE
      SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume`;
}

async function refreshSummary(prisma: PrismaClient, seriesId: number): Promise<StoredSeries> {
  const all = await loadBars(prisma, seriesId);
  const row = await prisma.barSeries.update({
    where: { id: seriesId },
    data: {
      barCount: all.length,
      firstTime: all.length > 0 ? BigInt(all.time[0]) : null,
      lastTime: all.length > 0 ? BigInt(all.time[all.length - 1]) : null,
      dataHash: hashBars(all),
    },
  });
  return toStoredSeries(row);
}

export interface CsvImport extends Omit<SeriesIdentity, "source"> {
  readonly text: string;
  /** Names the data in error messages and in the series' source, usually the file name. */
  readonly fileName: string;
  readonly closeColumn?: OhlcvCsvOptions["closeColumn"];
}

/** Parses an OHLCV CSV (every row validated; the first bad row throws) and stores it. */
export async function importCsvBars(prisma: PrismaClient, input: CsvImport): Promise<StoredSeries> {
  const bars = parseOhlcvCsv(input.text, { source: input.fileName, symbol: input.symbol, timeZone: input.timeZone ?? "UTC", closeColumn: input.closeColumn });
  return saveBars(prisma, { symbol: input.symbol, barSize: input.barSize, timeZone: input.timeZone, source: `csv:${input.fileName}` }, bars);
}

const BAR_COLUMNS = ["time", "open", "high", "low", "close", "volume"] as const;

/**
 * A series' bars in a span (epoch ms, from inclusive, to exclusive), in time order. Each column
 * comes as one binary float8[] (array_send) decoded straight into a Float64Array: one row, however
 * many bars, instead of an object per bar (bar times are epoch ms, exact in a float8).
 */
export async function loadBars(prisma: PrismaClient, seriesId: number, span: BarSpan = {}): Promise<BarSeries> {
  const from = BigInt(Math.ceil(span.from ?? -8.64e15));
  const to = BigInt(Math.ceil(span.to ?? 8.64e15));
  const [row] = await prisma.$queryRaw<Record<(typeof BAR_COLUMNS)[number], Uint8Array>[]>`
    SELECT array_send(coalesce(array_agg(time::float8 ORDER BY time), '{}')) AS time,
           array_send(coalesce(array_agg(open ORDER BY time), '{}')) AS open,
           array_send(coalesce(array_agg(high ORDER BY time), '{}')) AS high,
           array_send(coalesce(array_agg(low ORDER BY time), '{}')) AS low,
           array_send(coalesce(array_agg(close ORDER BY time), '{}')) AS close,
           array_send(coalesce(array_agg(volume ORDER BY time), '{}')) AS volume
    FROM stored_bars
    WHERE series_id = ${seriesId} AND time >= ${from} AND time < ${to}`;
  const [time, open, high, low, close, volume] = BAR_COLUMNS.map((column) => readFloat8Array(row[column]));
  return { length: time.length, time, open, high, low, close, volume };
}

export async function findSeries(prisma: PrismaClient, identity: SeriesIdentity): Promise<StoredSeries | undefined> {
  const row = await prisma.barSeries.findUnique({ where: { key: seriesKey(identity) } });
  return row ? toStoredSeries(row) : undefined;
}

export async function getSeries(prisma: PrismaClient, seriesId: number): Promise<StoredSeries | undefined> {
  const row = await prisma.barSeries.findUnique({ where: { id: seriesId } });
  return row ? toStoredSeries(row) : undefined;
}

export async function listSeries(prisma: PrismaClient): Promise<StoredSeries[]> {
  const rows = await prisma.barSeries.findMany({ orderBy: [{ symbol: "asc" }, { barSize: "asc" }] });
  return rows.map(toStoredSeries);
}

type SeriesRow = Awaited<ReturnType<PrismaClient["barSeries"]["findUniqueOrThrow"]>>;

function toStoredSeries(row: SeriesRow): StoredSeries {
  return {
    id: row.id,
    key: row.key,
    symbol: row.symbol,
    barSize: row.barSize,
    source: row.source,
    timeZone: row.timeZone,
    barCount: row.barCount,
    firstTime: row.firstTime === null ? null : Number(row.firstTime),
    lastTime: row.lastTime === null ? null : Number(row.lastTime),
    dataHash: row.dataHash,
  };
}
