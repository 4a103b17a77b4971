import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { backtestReport, equityCsv } from "@/lib/core/backtest/report";
import { runBacktest, type BacktestResult } from "@/lib/core/backtest/run";
import type { BarSeries } from "@/lib/core/data/bars";
import { parseOhlcvCsv } from "@/lib/core/data/csv";
import { perShareCommission, percentCommission, zeroCommission, type CommissionModel } from "@/lib/core/model/commission";
import { defineInstrument } from "@/lib/core/model/instrument";
import { createStrategy, strategyNames, type StrategyName } from "@/lib/core/strategies/registry";
import { ema, sma, vwap } from "@/lib/core/indicators";
import { BacktestRunStore, storedRequest } from "./backtest-runs-store";
import type { BacktestMetrics, BacktestRunListItem, BacktestRunPage, BacktestRunView, BacktestSummary, ChartSeries } from "./backtest-run-views";

const MAX_CSV_CHARS = 10_000_000;
/** Bars above this are summarised for the browser's charts rather than sent one by one. */
const MAX_CHART_POINTS = 2_000;

const dataSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("csv"),
    name: z.string().min(1, "name the uploaded file").max(200),
    text: z.string().min(1, "the CSV file is empty").max(MAX_CSV_CHARS, `the CSV file is larger than ${MAX_CSV_CHARS} characters`),
  }),
  z.object({ kind: z.literal("stored"), seriesId: z.number().int().positive("pick a stored bar series") }),
]);

const sizingSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all-in") }),
  z.object({ kind: z.literal("fixed"), quantity: z.number().positive("fixed sizing needs a positive quantity") }),
  z.object({ kind: z.literal("percent-of-equity"), fraction: z.number().gt(0).max(1, "percent sizing is a fraction in (0, 1]") }),
]);

/** One backtest as the dashboard asks for it; the fields mirror the CLI's flags and defaults. */
export const backtestRequestSchema = z
  .object({
    data: dataSchema,
    strategy: z.enum(strategyNames as [StrategyName, ...StrategyName[]], { error: `strategy must be one of ${strategyNames.join(", ")}` }),
    parameters: z.record(z.string(), z.unknown()).default({}),
    fill: z.enum(["close", "next-open"]).default("close"),
    slippageBps: z.number().min(0, "slippage must be >= 0 bp").default(0),
    commission: z.union([z.enum(["zero", "ibkr-fixed"]), z.object({ percent: z.number().min(0).lt(0.1, "commission percent is a fraction (0.001 = 10 bp)") })]).default("zero"),
    capital: z.number().positive("starting capital must be positive").default(100_000),
    sizing: sizingSchema.default({ kind: "all-in" }),
    fractional: z.boolean().default(false),
    symbol: z.string().min(1).max(32).optional(),
    tickSize: z.number().positive("tick size must be positive").default(0.01),
  })
  .strict();

export type BacktestRequest = z.input<typeof backtestRequestSchema>;
type CheckedRequest = z.output<typeof backtestRequestSchema>;

interface RunRecord extends BacktestRunView {
  equityCsv: string | null;
}

export interface BacktestRunsOptions {
  prisma: PrismaClient;
  log?: Pick<Logger, "warn" | "info">;
  /** Bars of a stored series (the research bar store); absent when none is configured. */
  loadStoredBars?: (seriesId: number) => Promise<BarSeries>;
  now?: () => number;
  /** Lets the HTTP answer go out before a run takes the thread. */
  defer?: (work: () => void) => void;
}

export const RUN_PAGE_MAX = 100;
/** Finished runs whose outcome could not be written are still served from memory, up to this many. */
const KEPT_UNSAVED = 20;

export class BacktestRequestError extends Error {}

/**
 * Backtests started from the dashboard: run on the server with the CLI's engine and kept in
 * Postgres. A run in progress is served from memory (its progress moves faster than it is worth
 * writing); its start, end and outcome are written as they happen.
 */
export class BacktestRuns {
  private readonly active = new Map<string, RunRecord>();
  private readonly store: BacktestRunStore;
  private readonly now: () => number;

  constructor(private readonly options: BacktestRunsOptions) {
    this.store = new BacktestRunStore(options.prisma);
    this.now = options.now ?? Date.now;
  }

  /** On start: runs a dead process left queued or running are failed ("interrupted by restart"). */
  async recoverInterrupted(): Promise<number> {
    const count = await this.store.failInterrupted(new Date(this.now()));
    if (count > 0) this.options.log?.info({ count }, "backtest runs interrupted by the last shutdown were marked failed");
    return count;
  }

  /** Validates everything up front (a ZodError names the bad field), records the run, then runs it in the background. */
  async start(raw: unknown, createdBy: string | null = null): Promise<BacktestRunView> {
    const request = backtestRequestSchema.parse(raw);
    createStrategy(request.strategy, request.parameters);
    const createdAt = new Date(this.now());
    const record: RunRecord = {
      id: `${createdAt.getTime().toString(36)}-${randomBytes(4).toString("hex")}`,
      createdAt: createdAt.toISOString(),
      finishedAt: null,
      createdBy,
      label: `${request.strategy} on ${request.data.kind === "csv" ? request.data.name : `series ${request.data.seriesId}`}`,
      status: "queued",
      progress: 0,
      error: null,
      summary: null,
      chart: null,
      equityCsv: null,
    };
    await this.store.insert({ id: record.id, label: record.label, createdAt, createdBy, request: storedRequest(request) });
    this.active.set(record.id, record);
    const defer = this.options.defer ?? ((work) => setImmediate(work));
    defer(() => void this.execute(record, request));
    return view(record);
  }

  async get(id: string): Promise<BacktestRunView | null> {
    const record = this.active.get(id);
    return record ? view(record) : this.store.view(id);
  }

  /** Newest first, `limit` at a time; `before` is the previous page's nextBefore. */
  async list({ before, limit = 20 }: { before?: string; limit?: number } = {}): Promise<BacktestRunPage> {
    const take = Math.min(Math.max(1, limit), RUN_PAGE_MAX);
    const runs = (await this.store.list(before, take)).map((item) => this.withLiveState(item));
    return { runs, nextBefore: runs.length === take ? runs[runs.length - 1].id : null };
  }

  /** The runs named, in the order asked, for a side-by-side table; null when one is unknown. */
  async compare(ids: readonly string[]): Promise<BacktestRunListItem[] | null> {
    const found = new Map((await this.store.listByIds(ids)).map((item) => [item.id, this.withLiveState(item)]));
    const runs = ids.map((id) => found.get(id));
    return runs.every((run) => run !== undefined) ? (runs as BacktestRunListItem[]) : null;
  }

  async equityCsv(id: string): Promise<string | null> {
    const record = this.active.get(id);
    return record ? record.equityCsv : this.store.equityCsv(id);
  }

  async tradesCsv(id: string): Promise<string | null> {
    const record = this.active.get(id);
    const summary = record ? record.summary : await this.store.summary(id);
    return summary ? tradesCsv(summary) : null;
  }

  private async execute(record: RunRecord, request: CheckedRequest): Promise<void> {
    record.status = "running";
    await this.persist(record, () => this.store.markRunning(record.id, new Date(this.now())));
    const outcome = await this.outcome(record, request);
    // Shown as finished only once written, so a reader of the table never sees it running after this answers done.
    const saved = await this.persist(record, () =>
      outcome.status === "done"
        ? this.store.saveDone(record.id, { summary: outcome.summary!, chart: outcome.chart!, equityCsv: outcome.equityCsv ?? "" }, new Date(outcome.finishedAt))
        : this.store.saveFailed(record.id, outcome.error ?? "failed", new Date(outcome.finishedAt)),
    );
    Object.assign(record, outcome);
    if (saved) this.active.delete(record.id);
    else this.forgetOldUnsaved();
  }

  private async outcome(record: RunRecord, request: CheckedRequest): Promise<Pick<RunRecord, "status" | "progress" | "error" | "summary" | "chart" | "equityCsv"> & { finishedAt: string }> {
    try {
      const bars = await this.loadBars(request);
      record.progress = 0.05;
      const { result, summary } = runLikeTheCli(request, bars, (done, total) => {
        record.progress = 0.05 + 0.9 * (done / total);
      });
      const chart = chartSeries(bars, result, overlayPeriods(request.parameters));
      return { status: "done", progress: 1, error: null, summary, chart, equityCsv: equityCsv(result), finishedAt: new Date(this.now()).toISOString() };
    } catch (error) {
      return { status: "failed", progress: record.progress, error: describeFailure(error), summary: null, chart: null, equityCsv: null, finishedAt: new Date(this.now()).toISOString() };
    }
  }

  /** A write that fails is logged; the run carries on from memory. */
  private async persist(record: RunRecord, write: () => Promise<void>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      this.options.log?.warn({ err: error, run: record.id }, "a backtest run could not be written to the database");
      return false;
    }
  }

  /** What is in memory is newer than the row while a run is in progress. */
  private withLiveState(item: BacktestRunListItem): BacktestRunListItem {
    const record = this.active.get(item.id);
    if (!record) return item;
    const { summary, status, progress, error, finishedAt } = record;
    return { ...item, status, progress, error, finishedAt, metrics: summary ? withoutTrades(summary) : item.metrics };
  }

  private async loadBars(request: CheckedRequest): Promise<BarSeries> {
    if (request.data.kind === "csv") return parseOhlcvCsv(request.data.text, { source: request.data.name });
    if (!this.options.loadStoredBars) throw new BacktestRequestError("stored bar series are not available on this server; upload a CSV instead");
    return this.options.loadStoredBars(request.data.seriesId);
  }

  private forgetOldUnsaved(): void {
    const finished = [...this.active.values()].filter((record) => record.finishedAt !== null);
    for (const record of finished.slice(0, Math.max(0, finished.length - KEPT_UNSAVED))) this.active.delete(record.id);
  }
}

function view(record: RunRecord): BacktestRunView {
  const { equityCsv: _csv, ...rest } = record;
  void _csv;
  return rest;
}

function withoutTrades(summary: BacktestSummary): BacktestMetrics {
  const { trades: _trades, ...metrics } = summary;
  void _trades;
  return metrics;
}

function commissionOf(choice: CheckedRequest["commission"]): CommissionModel {
  if (typeof choice === "object") return percentCommission(choice.percent);
  return choice === "ibkr-fixed" ? perShareCommission() : zeroCommission;
}

/** Same construction as scripts/backtest.ts, so a run here and `npm run backtest -- --json` agree. */
export function runLikeTheCli(request: CheckedRequest, bars: BarSeries, onProgress?: (done: number, total: number) => void): { result: BacktestResult; summary: BacktestSummary } {
  const commission = commissionOf(request.commission);
  const strategy = createStrategy(request.strategy, request.parameters);
  const symbol = request.symbol ?? bars.symbol ?? (request.data.kind === "csv" ? request.data.name.replace(/\.[^.]+$/, "") : `SERIES${request.data.seriesId}`);
  const instrument = defineInstrument({ symbol, tickSize: request.tickSize });
  const result = runBacktest({
    bars,
    instrument,
    strategy,
    initialCapital: request.capital,
    fill: request.fill,
    slippageBps: request.slippageBps,
    commission,
    sizing: request.sizing,
    fractional: request.fractional,
    onProgress,
  });
  const summary: BacktestSummary = {
    ...backtestReport(result),
    strategy: strategy.name,
    fill: request.fill,
    slippageBps: request.slippageBps,
    commission: commission.name,
    sizing: request.sizing.kind,
    fractional: request.fractional,
  };
  return { result, summary };
}

/** Candles and equity for the charts, every bar up to MAX_CHART_POINTS, evenly sampled beyond. */
export function chartSeries(bars: BarSeries, result: BacktestResult, periods = { fast: 20, slow: 50 }): ChartSeries {
  const { equity } = result.curve;
  const step = Math.max(1, Math.ceil(bars.length / MAX_CHART_POINTS));
  const lines = [
    { name: `SMA ${periods.fast}`, values: sma(bars.close, periods.fast) },
    { name: `SMA ${periods.slow}`, values: sma(bars.close, periods.slow) },
    { name: `EMA ${periods.fast}`, values: ema(bars.close, periods.fast) },
    { name: "VWAP 20", values: vwap(bars.close, bars.volume, 20) },
  ];
  const series: ChartSeries = { time: [], open: [], high: [], low: [], close: [], equity: [], drawdown: [], overlays: lines.map((line) => ({ name: line.name, values: [] })) };
  let peak = -Infinity;
  for (let i = 0; i < bars.length; i++) {
    peak = Math.max(peak, equity[i]);
    if (i % step !== 0 && i !== bars.length - 1) continue;
    series.time.push(bars.time[i]);
    series.open.push(bars.open[i]);
    series.high.push(bars.high[i]);
    series.low.push(bars.low[i]);
    series.close.push(bars.close[i]);
    series.equity.push(equity[i]);
    series.drawdown.push(peak > 0 ? equity[i] / peak - 1 : 0);
    lines.forEach((line, index) => series.overlays[index].values.push(Number.isFinite(line.values[i]) ? line.values[i] : null));
  }
  return series;
}

/** The strategy's own moving-average periods when it has them, so the chart shows what it traded on. */
function overlayPeriods(parameters: Record<string, unknown>): { fast: number; slow: number } {
  const period = (value: unknown, fallback: number) => (typeof value === "number" && Number.isInteger(value) && value > 0 ? value : fallback);
  return { fast: period(parameters.fast, 20), slow: period(parameters.slow, 50) };
}

const TRADE_COLUMNS = ["direction", "entryDate", "exitDate", "entryPrice", "exitPrice", "quantity", "pnl", "commission"] as const;

export function tradesCsv(summary: BacktestSummary): string {
  const rows = summary.trades.map((trade) => TRADE_COLUMNS.map((column) => String(trade[column])).join(","));
  return [TRADE_COLUMNS.join(","), ...rows].join("\n") + "\n";
}

function describeFailure(error: unknown): string {
  if (error instanceof z.ZodError) return error.issues.map((issue) => `${issue.path.join(".") || "parameters"}: ${issue.message}`).join("; ");
  return error instanceof Error ? error.message : String(error);
}
