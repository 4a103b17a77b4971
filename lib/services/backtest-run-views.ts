import type { BacktestReport } from "@/lib/core/backtest/report";
import type { Sizing } from "@/lib/core/engine/sizing";

// What the backtest workbench shows of a run: the shapes the service, its store and the page share.

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

interface RunHeader {
  id: string;
  createdAt: string;
  finishedAt: string | null;
  /** The user who started the run. */
  createdBy: string | null;
  label: string;
  status: RunStatus;
  /** 0..1 */
  progress: number;
  error: string | null;
}

export interface BacktestRunView extends RunHeader {
  summary: BacktestSummary | null;
  chart: ChartSeries | null;
}

/** The report's figures without the trade list. */
export type BacktestMetrics = Omit<BacktestSummary, "trades">;

/** A run in the list: its figures only (the trades, chart and equity curve are fetched per run). */
export interface BacktestRunListItem extends RunHeader {
  metrics: BacktestMetrics | null;
}

export interface BacktestRunPage {
  runs: BacktestRunListItem[];
  /** Pass as `before` for the next older page; null when there is none. */
  nextBefore: string | null;
}
