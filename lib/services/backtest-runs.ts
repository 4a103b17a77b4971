import { z } from "zod";
import { backtestReport, equityCsv, type BacktestReport } from "@/lib/core/backtest/report";
import { runBacktest, type BacktestResult } from "@/lib/core/backtest/run";
import type { BarSeries } from "@/lib/core/data/bars";
import { parseOhlcvCsv } from "@/lib/core/data/csv";
import { perShareCommission, percentCommission, zeroCommission, type CommissionModel } from "@/lib/core/model/commission";
import { defineInstrument } from "@/lib/core/model/instrument";
import { createStrategy, strategyNames, type StrategyName } from "@/lib/core/strategies/registry";
import type { Sizing } from "@/lib/core/engine/sizing";
import { ema, sma, vwap } from "@/lib/core/indicators";

const MAX_CSV_CHARS = 10_000_000;
/** Bars above this are summarised for the browser's charts rather than sent one by one. */
const MAX_CHART_POINTS = 2_000;
const KEPT_RUNS = 20;

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

/** The CLI's `--json` object: the report plus the settings that produced it. */
export type BacktestSummary = BacktestReport & {
  strategy: string;
  fill: string;
  slippageBps: number;
  commission: string;
  sizing: Sizing["kind"];
  fractional: boolean;
};

export interface ChartSeries {
  time: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  equity: number[];
  /** Fraction below the running peak, <= 0. */
  drawdown: number[];
  /** Indicator lines over the close, null where not yet defined. */
  overlays: { name: string; values: (number | null)[] }[];
}

export type RunStatus = "queued" | "running" | "done" | "failed";

export interface BacktestRunView {
  id: string;
  createdAt: string;
  label: string;
  status: RunStatus;
  /** 0..1 */
  progress: number;
  error: string | null;
  summary: BacktestSummary | null;
  chart: ChartSeries | null;
}

interface RunRecord extends BacktestRunView {
  equityCsv: string | null;
}

export interface BacktestRunsOptions {
  /** Bars of a stored series (the research bar store); absent when none is configured. */
  loadStoredBars?: (seriesId: number) => Promise<BarSeries>;
  now?: () => number;
  /** Lets the HTTP answer go out before a run takes the thread. */
  defer?: (work: () => void) => void;
}

export class BacktestRequestError extends Error {}

/** Backtests started from the dashboard: run on the server with the CLI's engine, kept in memory. */
export class BacktestRuns {
  private readonly runs = new Map<string, RunRecord>();
  private sequence = 0;

  constructor(private readonly options: BacktestRunsOptions = {}) {}

  /** Validates everything up front (a ZodError names the bad field), then runs in the background. */
  start(raw: unknown): BacktestRunView {
    const request = backtestRequestSchema.parse(raw);
    createStrategy(request.strategy, request.parameters);
    const now = this.options.now ?? Date.now;
    this.sequence += 1;
    const id = `${now().toString(36)}-${this.sequence}`;
    const record: RunRecord = {
      id,
      createdAt: new Date(now()).toISOString(),
      label: `${request.strategy} on ${request.data.kind === "csv" ? request.data.name : `series ${request.data.seriesId}`}`,
      status: "queued",
      progress: 0,
      error: null,
      summary: null,
      chart: null,
      equityCsv: null,
    };
    this.runs.set(id, record);
    this.forgetOldRuns();
    const defer = this.options.defer ?? ((work) => setImmediate(work));
    defer(() => void this.execute(record, request));
    return view(record);
  }

  get(id: string): BacktestRunView | null {
    const record = this.runs.get(id);
    return record ? view(record) : null;
  }

  list(): BacktestRunView[] {
    return [...this.runs.values()].reverse().map((record) => ({ ...view(record), chart: null }));
  }

  equityCsv(id: string): string | null {
    return this.runs.get(id)?.equityCsv ?? null;
  }

  tradesCsv(id: string): string | null {
    const summary = this.runs.get(id)?.summary;
    return summary ? tradesCsv(summary) : null;
  }

  private async execute(record: RunRecord, request: CheckedRequest): Promise<void> {
    try {
      record.status = "running";
      const bars = await this.loadBars(request);
      record.progress = 0.05;
      const { result, summary } = runLikeTheCli(request, bars, (done, total) => {
        record.progress = 0.05 + 0.9 * (done / total);
      });
      record.summary = summary;
      record.chart = chartSeries(bars, result, overlayPeriods(request.parameters));
      record.equityCsv = equityCsv(result);
      record.progress = 1;
      record.status = "done";
    } catch (error) {
      record.status = "failed";
      record.error = describeFailure(error);
    }
  }

  private async loadBars(request: CheckedRequest): Promise<BarSeries> {
    if (request.data.kind === "csv") return parseOhlcvCsv(request.data.text, { source: request.data.name });
    if (!this.options.loadStoredBars) throw new BacktestRequestError("stored bar series are not available on this server; upload a CSV instead");
    return this.options.loadStoredBars(request.data.seriesId);
  }

  private forgetOldRuns(): void {
    for (const id of this.runs.keys()) {
      if (this.runs.size <= KEPT_RUNS) return;
      this.runs.delete(id);
    }
  }
}

function view(record: RunRecord): BacktestRunView {
  const { equityCsv: _csv, ...rest } = record;
  void _csv;
  return rest;
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
