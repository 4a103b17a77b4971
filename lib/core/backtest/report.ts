import type { BacktestResult } from "./run";
import type { Metrics } from "./metrics";

export interface TradeReport {
  readonly direction: "long" | "short";
  readonly entryDate: string;
  readonly exitDate: string;
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly quantity: number;
  readonly pnl: number;
  readonly commission: number;
}

/** The machine-readable summary of a backtest: ratios as fractions, dates ISO 8601. */
export interface BacktestReport extends Omit<Metrics, "profitFactor" | "dailyReturns"> {
  /** null when there was no losing trade (the ratio is infinite). */
  readonly profitFactor: number | null;
  readonly initialCapital: number;
  readonly bars: number;
  readonly firstBar: string;
  readonly lastBar: string;
  /** A position open after the last bar was closed at the last close for these figures. */
  readonly closedAtEnd: boolean;
  readonly orderCount: number;
  readonly trades: readonly TradeReport[];
}

const DAY_MS = 86_400_000;

/** A date alone for daily bars (stamped at 00:00 UTC), the full instant otherwise. */
export function isoTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return epochMs % DAY_MS === 0 ? iso.slice(0, 10) : iso;
}

export function backtestReport(result: BacktestResult): BacktestReport {
  const { metrics, curve } = result;
  const bars = curve.time.length;
  return {
    finalCapital: metrics.finalCapital,
    totalReturn: metrics.totalReturn,
    cagr: metrics.cagr,
    sharpe: metrics.sharpe,
    sortino: metrics.sortino,
    maxDrawdown: metrics.maxDrawdown,
    maxDrawdownDuration: metrics.maxDrawdownDuration,
    maxDrawdownDurationBars: metrics.maxDrawdownDurationBars,
    tradeCount: metrics.tradeCount,
    profitPerTrade: metrics.profitPerTrade,
    winRate: metrics.winRate,
    profitFactor: Number.isFinite(metrics.profitFactor) ? metrics.profitFactor : null,
    exposure: metrics.exposure,
    initialCapital: curve.initialCapital,
    bars,
    firstBar: bars > 0 ? isoTime(curve.time[0]) : "",
    lastBar: bars > 0 ? isoTime(curve.time[bars - 1]) : "",
    closedAtEnd: result.closedAtEnd,
    orderCount: result.orders.length,
    trades: result.trades.map((trade) => ({
      direction: trade.direction,
      entryDate: isoTime(trade.entryTime),
      exitDate: isoTime(trade.exitTime),
      entryPrice: trade.entryPrice,
      exitPrice: trade.exitPrice,
      quantity: trade.quantity,
      pnl: trade.pnl,
      commission: trade.commission,
    })),
  };
}

/** `time,equity,inPosition` rows, one per bar. */
export function equityCsv(result: BacktestResult): string {
  const { time, equity, inPosition } = result.curve;
  const rows = ["time,equity,in_position"];
  for (let i = 0; i < time.length; i++) rows.push(`${isoTime(time[i])},${equity[i]},${inPosition[i]}`);
  return rows.join("\n") + "\n";
}

const percent = (value: number) => `${(value * 100).toFixed(2)}%`;
const money = (value: number) => value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A table a person reads in a terminal. */
export function formatReport(report: BacktestReport): string {
  const rows: [string, string][] = [
    ["Period", `${report.firstBar} .. ${report.lastBar} (${report.bars} bars)`],
    ["Initial capital", money(report.initialCapital)],
    ["Final capital", money(report.finalCapital)],
    ["Total return", percent(report.totalReturn)],
    ["CAGR", percent(report.cagr)],
    ["Sharpe (annualized)", report.sharpe.toFixed(3)],
    ["Sortino (annualized)", report.sortino.toFixed(3)],
    ["Max drawdown", `${percent(report.maxDrawdown)} over ${report.maxDrawdownDuration.toFixed(0)} days`],
    ["Round trips", String(report.tradeCount)],
    ["Profit per trade", money(report.profitPerTrade)],
    ["Win rate", percent(report.winRate)],
    ["Profit factor", report.profitFactor === null ? "no losing trade" : report.profitFactor.toFixed(3)],
    ["Exposure", percent(report.exposure)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  if (report.closedAtEnd) lines.push("", "The position still open after the last bar was closed at the last close for these figures.");
  if (report.trades.length > 0) {
    lines.push("", "Dir    Entry        Exit         Entry px    Exit px     Quantity      P&L");
    for (const trade of report.trades) {
      lines.push(
        [
          trade.direction.padEnd(6),
          trade.entryDate.padEnd(12),
          trade.exitDate.padEnd(12),
          trade.entryPrice.toFixed(2).padStart(10),
          trade.exitPrice.toFixed(2).padStart(10),
          trade.quantity.toFixed(4).padStart(12),
          money(trade.pnl).padStart(12),
        ].join(" "),
      );
    }
  }
  return lines.join("\n");
}
