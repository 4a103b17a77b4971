import type { BarSizeSetting, Contract, WhatToShow } from "@stoqey/ib";
import { z } from "zod";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { barAt, seriesFromBars, type Bar } from "@/lib/core/data/bars";
import { instantOf } from "@/lib/core/time/zoned-time";
import { findSeries, loadBars, saveBars, seriesKey, type SeriesIdentity } from "@/lib/adapters/db/bar-store";
import type { GatewayClient } from "./gateway-client";
import { stockContract } from "./mapping";
import { realTimer, type PacerTimer } from "./pacing";
import { collectReply, RequestFailedError, type ReplyGateway } from "./replies";

/** IB's historical-data rules (error 162 when broken), kept with a margin as LEAN does. */
export interface HistoricalLimits {
  /** No identical request within this many ms. */
  identicalGapMs: number;
  /** At most `perContractBurst` requests for one contract and data type in `perContractWindowMs`. */
  perContractBurst: number;
  perContractWindowMs: number;
  /** At most `perWindow` request weights (BID_ASK counts twice) in `windowMs`. */
  perWindow: number;
  windowMs: number;
  /** At most this many requests waiting for their answer. */
  maxOpen: number;
}

/** IB's own figures, the windows widened by 100 ms for clock differences. */
export const IB_HISTORICAL_LIMITS: HistoricalLimits = {
  identicalGapMs: 15_100,
  perContractBurst: 5,
  perContractWindowMs: 2_100,
  perWindow: 58,
  windowMs: 600_000,
  maxOpen: 20,
};

export interface PacedRequest {
  /** Everything that makes two requests identical. */
  readonly identity: string;
  /** Contract, exchange and data type: the unit of the burst rule. */
  readonly contractKey: string;
  readonly weight: 1 | 2;
}

/** One request sent: `at` is when TWS answered it, or undefined while it is open. */
export interface SentRequest {
  readonly request: PacedRequest;
  at: number | undefined;
}

/**
 * The pure pacing decision: when may `request` go, given what was sent and what is still
 * open. TWS stamps a request when it handles it, which may be well after it was sent, so a
 * request counts from when its answer arrived (an open one as if handled right now).
 * Times come from the caller, so tests move the clock by hand.
 */
export class HistoricalPacing {
  private sent: SentRequest[] = [];
  private open = 0;

  constructor(private readonly limits: HistoricalLimits = IB_HISTORICAL_LIMITS) {}

  get openRequests(): number {
    return this.open;
  }

  /** 0 when the request may go now; otherwise how many ms to wait (Infinity: until one finishes). */
  waitFor(request: PacedRequest, now: number): number {
    this.forget(now);
    const { limits } = this;
    if (this.open >= limits.maxOpen) return Infinity;
    const stamp = (entry: SentRequest) => entry.at ?? now;
    let wait = 0;
    const identical = this.sent.filter((entry) => entry.request.identity === request.identity).map(stamp);
    if (identical.length > 0) wait = Math.max(wait, Math.max(...identical) + limits.identicalGapMs - now);
    const sameContract = this.sent
      .filter((entry) => entry.request.contractKey === request.contractKey)
      .map(stamp)
      .filter((at) => at > now - limits.perContractWindowMs)
      .sort((a, b) => a - b);
    if (sameContract.length >= limits.perContractBurst) wait = Math.max(wait, sameContract[sameContract.length - limits.perContractBurst] + limits.perContractWindowMs - now);
    const byTime = [...this.sent].sort((a, b) => stamp(b) - stamp(a));
    let used = request.weight;
    for (const entry of byTime) {
      used += entry.request.weight;
      if (used > limits.perWindow) {
        wait = Math.max(wait, stamp(entry) + limits.windowMs - now);
        break;
      }
    }
    return Math.max(0, wait);
  }

  markSent(request: PacedRequest): SentRequest {
    const entry: SentRequest = { request, at: undefined };
    this.sent.push(entry);
    this.open++;
    return entry;
  }

  markAnswered(entry: SentRequest, now: number): void {
    if (entry.at !== undefined) return;
    entry.at = now;
    this.open = Math.max(0, this.open - 1);
  }

  private forget(now: number): void {
    const horizon = now - Math.max(this.limits.windowMs, this.limits.identicalGapMs, this.limits.perContractWindowMs);
    this.sent = this.sent.filter((entry) => entry.at === undefined || entry.at > horizon);
  }
}

const WHAT_TO_SHOW = ["TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK", "ADJUSTED_LAST", "HISTORICAL_VOLATILITY", "OPTION_IMPLIED_VOLATILITY"] as const;

export const historyRequestSchema = z
  .object({
    symbol: z.string().trim().min(1, "symbol is required").toUpperCase(),
    barSize: z.enum(["1 secs", "5 secs", "10 secs", "15 secs", "30 secs", "1 min", "2 mins", "3 mins", "5 mins", "10 mins", "15 mins", "20 mins", "30 mins", "1 hour", "2 hours", "3 hours", "4 hours", "8 hours", "1 day"]),
    whatToShow: z.enum(WHAT_TO_SHOW).default("TRADES"),
    useRth: z.boolean().default(true),
    /** Epoch ms, inclusive. */
    from: z.number().int(),
    /** Epoch ms, exclusive. */
    to: z.number().int(),
    /** Zone daily bars' dates are read in. */
    timeZone: z.string().default("America/New_York"),
  })
  .refine((request) => request.to > request.from, { message: "to must be after from", path: ["to"] });

export type HistoryRequest = z.input<typeof historyRequestSchema>;
type ParsedRequest = z.output<typeof historyRequestSchema>;

export type HistoryGateway = ReplyGateway & Pick<GatewayClient, "requestHistoricalData">;

export interface HistoricalQueueOptions {
  gateway: HistoryGateway;
  prisma: PrismaClient;
  contractOf?: (symbol: string) => Contract;
  timer?: PacerTimer;
  limits?: HistoricalLimits;
  timeoutMs?: number;
}

interface Job {
  paced: PacedRequest;
  spec: ParsedRequest;
  span: { from: number; to: number };
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Historical bars through IB's pacing rules, cached: a span once fetched is kept in the bar
 * store (source `ibkr:<whatToShow>`) and recorded in `historical_spans`, and never requested again.
 */
export class HistoricalQueue {
  private readonly pacing: HistoricalPacing;
  private readonly waiting: Job[] = [];
  /** Requests queued or under way, by identity: a second ask for the same span joins the first. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly timer: PacerTimer;
  private cancelWake: (() => void) | null = null;

  constructor(private readonly options: HistoricalQueueOptions) {
    this.pacing = new HistoricalPacing(options.limits);
    this.timer = options.timer ?? realTimer;
  }

  /** Requests waiting for their turn (for the health endpoint). */
  get depth(): number {
    return this.waiting.length;
  }

  get openRequests(): number {
    return this.pacing.openRequests;
  }

  /** The bars of the span, fetching only the parts not fetched before. */
  async bars(input: HistoryRequest): Promise<Bar[]> {
    const spec = historyRequestSchema.parse(input);
    const identity = this.identityOf(spec);
    const key = seriesKey(identity);
    const fetched = await this.options.prisma.historicalSpan.findMany({ where: { seriesKey: key, whatToShow: spec.whatToShow, useRth: spec.useRth } });
    const gaps = uncovered({ from: spec.from, to: spec.to }, fetched.map((row) => ({ from: Number(row.fromTime), to: Number(row.toTime) })));
    const outcomes = await Promise.allSettled(gaps.map((gap) => this.enqueue(spec, gap)));
    const failed = outcomes.find((outcome) => outcome.status === "rejected");
    if (failed) throw failed.reason;
    const series = await findSeries(this.options.prisma, identity);
    if (!series) return [];
    const stored = await loadBars(this.options.prisma, series.id, { from: spec.from, to: spec.to });
    return Array.from({ length: stored.length }, (_, index) => barAt(stored, index));
  }

  private identityOf(spec: ParsedRequest): SeriesIdentity {
    return { symbol: spec.symbol, barSize: spec.barSize, source: `ibkr:${spec.whatToShow}${spec.useRth ? "" : ":all-hours"}`, timeZone: spec.timeZone };
  }

  private enqueue(spec: ParsedRequest, span: { from: number; to: number }): Promise<void> {
    const paced: PacedRequest = {
      identity: `${spec.symbol}|${spec.barSize}|${spec.whatToShow}|${spec.useRth}|${span.from}|${span.to}`,
      contractKey: `${spec.symbol}|${spec.whatToShow}`,
      weight: spec.whatToShow === "BID_ASK" ? 2 : 1,
    };
    const joined = this.inFlight.get(paced.identity);
    if (joined) return joined;
    const done = new Promise<void>((resolve, reject) => {
      this.waiting.push({ paced, spec, span, resolve, reject });
      this.pump();
    }).finally(() => this.inFlight.delete(paced.identity));
    this.inFlight.set(paced.identity, done);
    return done;
  }

  private pump(): void {
    this.cancelWake?.();
    this.cancelWake = null;
    let soonest = Infinity;
    for (let index = 0; index < this.waiting.length; ) {
      const job = this.waiting[index];
      const wait = this.pacing.waitFor(job.paced, this.timer.now());
      if (wait > 0) {
        soonest = Math.min(soonest, wait);
        index++;
        continue;
      }
      this.waiting.splice(index, 1);
      void this.run(job, this.pacing.markSent(job.paced));
    }
    if (Number.isFinite(soonest)) this.cancelWake = this.timer.setTimeout(() => this.pump(), soonest);
  }

  private async run(job: Job, sent: SentRequest): Promise<void> {
    const { gateway, prisma } = this.options;
    const { spec, span } = job;
    try {
      const contract = this.options.contractOf?.(spec.symbol) ?? (stockContract(spec.symbol) as Contract);
      const rows = await collectReply(
        gateway,
        { data: "historicalBar", end: "historicalEnd" },
        (reqId) =>
          gateway.requestHistoricalData(reqId, {
            contract,
            endDateTime: ibDateTime(span.to),
            duration: ibDuration(span.to - span.from),
            barSize: spec.barSize as BarSizeSetting,
            whatToShow: spec.whatToShow as WhatToShow,
            useRth: spec.useRth,
          }),
        this.options.timeoutMs ?? 60_000,
        `historical ${spec.barSize} bars of ${spec.symbol}`,
      ).catch((error: unknown) => {
        // 162 is also how HMDS says "nothing traded in that span": an answer, not a failure.
        if (error instanceof RequestFailedError && error.code === 162 && /no data/i.test(error.message)) return [];
        throw error;
      });
      this.pacing.markAnswered(sent, this.timer.now());
      const bars = rows.map((row) => ({ ...row, time: barTime(row.time, spec.timeZone) })).filter((bar) => bar.time >= span.from && bar.time < span.to);
      const identity = this.identityOf(spec);
      if (bars.length > 0) await saveBars(prisma, identity, seriesFromBars(bars, spec.symbol));
      await prisma.historicalSpan.create({ data: { seriesKey: seriesKey(identity), whatToShow: spec.whatToShow, useRth: spec.useRth, fromTime: BigInt(span.from), toTime: BigInt(span.to) } });
      job.resolve();
    } catch (error) {
      job.reject(error as Error);
    } finally {
      this.pacing.markAnswered(sent, this.timer.now());
      this.pump();
    }
  }
}

/** The parts of `span` no fetched span covers, in order. */
export function uncovered(span: { from: number; to: number }, fetched: readonly { from: number; to: number }[]): { from: number; to: number }[] {
  const gaps: { from: number; to: number }[] = [];
  let cursor = span.from;
  for (const done of [...fetched].sort((a, b) => a.from - b.from)) {
    if (done.to <= cursor) continue;
    if (done.from >= span.to) break;
    if (done.from > cursor) gaps.push({ from: cursor, to: done.from });
    cursor = Math.max(cursor, done.to);
    if (cursor >= span.to) break;
  }
  if (cursor < span.to) gaps.push({ from: cursor, to: span.to });
  return gaps;
}

/** `yyyyMMdd-HH:mm:ss` in UTC, the form TWS accepts without a zone name. */
export function ibDateTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 19)}`;
}

/** The shortest TWS duration string covering `ms`: seconds up to a day, then days, then years. */
export function ibDuration(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds <= 86_400) return `${Math.max(seconds, 1)} S`;
  const days = Math.ceil(seconds / 86_400);
  return days <= 365 ? `${days} D` : `${Math.ceil(days / 365)} Y`;
}

/** With formatDate 2 intraday bars carry epoch seconds; daily bars carry `yyyyMMdd` in the exchange's zone. */
export function barTime(text: string, timeZone: string): number {
  const trimmed = text.trim();
  if (/^\d{9,10}$/.test(trimmed)) return Number(trimmed) * 1000;
  const day = /^(\d{4})(\d{2})(\d{2})$/.exec(trimmed);
  if (day) return instantOf({ year: +day[1], month: +day[2], day: +day[3], hour: 0, minute: 0, second: 0 }, timeZone);
  throw new Error(`unrecognised historical bar time "${text}"`);
}
