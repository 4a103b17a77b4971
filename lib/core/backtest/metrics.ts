import type { Trade } from "./trades";

export const TRADING_DAYS_PER_YEAR = 252;
const MS_PER_YEAR = 365.25 * 86_400_000;
const MS_PER_DAY = 86_400_000;

export interface EquityCurve {
  /** Bar times, epoch ms. */
  readonly time: Float64Array;
  /** Equity at each bar's close. */
  readonly equity: Float64Array;
  /** 1 where a position was held at the bar's close. */
  readonly inPosition: Uint8Array;
  readonly initialCapital: number;
  /** Day number of an instant in the exchange's calendar; bars with equal numbers are one day. */
  readonly dayOf: (time: number) => number;
}

export interface Metrics {
  readonly finalCapital: number;
  readonly totalReturn: number;
  readonly cagr: number;
  readonly sharpe: number;
  readonly sortino: number;
  readonly maxDrawdown: number;
  /** Calendar days from the peak before the deepest drawdown to its recovery (or the last bar). */
  readonly maxDrawdownDuration: number;
  readonly maxDrawdownDurationBars: number;
  readonly tradeCount: number;
  readonly profitPerTrade: number;
  readonly winRate: number;
  readonly profitFactor: number;
  readonly exposure: number;
  readonly dailyReturns: number;
}

export function computeMetrics(curve: EquityCurve, trades: readonly Trade[]): Metrics {
  const { equity, time, initialCapital } = curve;
  const bars = equity.length;
  const finalCapital = bars > 0 ? equity[bars - 1] : initialCapital;
  const returns = dailyReturns(curve);
  const drawdown = maxDrawdown(curve);
  return {
    finalCapital,
    totalReturn: finalCapital / initialCapital - 1,
    cagr: cagr(initialCapital, finalCapital, bars > 0 ? time[bars - 1] - time[0] : 0),
    sharpe: sharpe(returns),
    sortino: sortino(returns),
    maxDrawdown: drawdown.depth,
    maxDrawdownDuration: drawdown.durationMs / MS_PER_DAY,
    maxDrawdownDurationBars: drawdown.durationBars,
    ...tradeStatistics(trades),
    exposure: bars === 0 ? 0 : countSet(curve.inPosition) / bars,
    dailyReturns: returns.length,
  };
}

/** (final / initial)^(1 / years) - 1, with years of 365.25 days between the first and last bar. */
export function cagr(initial: number, final: number, elapsedMs: number): number {
  if (elapsedMs <= 0 || initial <= 0) return 0;
  if (final <= 0) return -1;
  return Math.pow(final / initial, MS_PER_YEAR / elapsedMs) - 1;
}

/** Simple returns between consecutive end-of-day equities (the last bar of each day). */
export function dailyReturns(curve: EquityCurve): Float64Array {
  const bars = curve.equity.length;
  const returns = new Float64Array(Math.max(0, bars - 1));
  let count = 0;
  let previousClose = NaN;
  let day = bars > 0 ? curve.dayOf(curve.time[0]) : NaN;
  for (let i = 0; i < bars; i++) {
    const nextDay = i + 1 < bars ? curve.dayOf(curve.time[i + 1]) : NaN;
    if (nextDay === day) continue;
    day = nextDay;
    if (!Number.isNaN(previousClose)) returns[count++] = curve.equity[i] / previousClose - 1;
    previousClose = curve.equity[i];
  }
  return returns.subarray(0, count);
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** sqrt(252) x mean / sample standard deviation (n - 1). 0 when undefined. */
export function sharpe(returns: Float64Array): number {
  if (returns.length < 2) return 0;
  const average = mean(returns);
  let squares = 0;
  for (let i = 0; i < returns.length; i++) squares += (returns[i] - average) ** 2;
  const variance = squares / (returns.length - 1);
  return variance > 0 ? (Math.sqrt(TRADING_DAYS_PER_YEAR) * average) / Math.sqrt(variance) : 0;
}

/** sqrt(252) x mean / sqrt(mean(min(r, 0)^2)): downside deviation over all days, MAR 0. */
export function sortino(returns: Float64Array): number {
  if (returns.length === 0) return 0;
  let downsideSquares = 0;
  for (let i = 0; i < returns.length; i++) if (returns[i] < 0) downsideSquares += returns[i] * returns[i];
  const downside = Math.sqrt(downsideSquares / returns.length);
  return downside > 0 ? (Math.sqrt(TRADING_DAYS_PER_YEAR) * mean(returns)) / downside : 0;
}

interface Drawdown {
  depth: number;
  durationMs: number;
  durationBars: number;
}

/**
 * The deepest fall from a running peak, as a positive fraction of that peak (the starting
 * capital is the first peak), and how long that episode lasted: from its peak until equity
 * first regained it, or until the last bar.
 */
export function maxDrawdown(curve: EquityCurve): Drawdown {
  const { equity, time, initialCapital } = curve;
  let peak = initialCapital;
  let peakIndex = -1;
  let deepest: Drawdown = { depth: 0, durationMs: 0, durationBars: 0 };
  let deepestPeakIndex = -1;
  let deepestRecovered = true;
  const timeAt = (index: number) => (index < 0 ? time[0] : time[index]);
  for (let i = 0; i < equity.length; i++) {
    if (equity[i] >= peak) {
      if (!deepestRecovered && deepestPeakIndex === peakIndex) {
        deepest = { ...deepest, durationMs: time[i] - timeAt(peakIndex), durationBars: i - peakIndex };
        deepestRecovered = true;
      }
      peak = equity[i];
      peakIndex = i;
      continue;
    }
    const depth = (peak - equity[i]) / peak;
    if (depth > deepest.depth) {
      deepest = { depth, durationMs: 0, durationBars: 0 };
      deepestPeakIndex = peakIndex;
      deepestRecovered = false;
    }
  }
  if (!deepestRecovered && equity.length > 0) {
    const last = equity.length - 1;
    deepest = { ...deepest, durationMs: time[last] - timeAt(deepestPeakIndex), durationBars: last - deepestPeakIndex };
  }
  return deepest;
}

function tradeStatistics(trades: readonly Trade[]) {
  const wins = trades.filter((trade) => trade.pnl > 0);
  const grossProfit = wins.reduce((sum, trade) => sum + trade.pnl, 0);
  const grossLoss = -trades.filter((trade) => trade.pnl < 0).reduce((sum, trade) => sum + trade.pnl, 0);
  const net = trades.reduce((sum, trade) => sum + trade.pnl, 0);
  return {
    tradeCount: trades.length,
    profitPerTrade: trades.length === 0 ? 0 : net / trades.length,
    winRate: trades.length === 0 ? 0 : wins.length / trades.length,
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : grossProfit > 0 ? Infinity : 0,
  };
}

function countSet(flags: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < flags.length; i++) count += flags[i];
  return count;
}
