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
  /**
   * {@link dayEnds} of `time` and `dayOf`, when the curve's maker already has them (runs over the
   * same bars share them); otherwise the metrics work them out.
   */
  readonly dayEnds?: Uint8Array;
  /**
   * For a curve that computes its bars rather than storing them: calls `visit` on each stretch of
   * bars within [from, to), in order, over which the account did not trade, giving the numbers
   * `equity` and `inPosition` hold. The metrics then read the curve stretch by stretch and never
   * make its whole arrays.
   */
  forEachStretch?(from: number, to: number, visitor: StretchVisitor): void;
}

/** Receives a curve's stretches (a class's method, not a closure per call: V8 optimizes it once). */
export interface StretchVisitor {
  /**
   * Bars [from, to) whose equity is `cash + held × prices[i - offset]` for bar i, in a position
   * when `held` is not 0.
   */
  stretch(from: number, to: number, cash: number, held: number, prices: Float64Array, offset: number): void;
}

/**
 * A curve's stretches within [from, to): its own, or for a curve of stored arrays the span of its
 * equity as one stretch (-0 + 1 × x is x, whatever x).
 */
function visitStretches(curve: EquityCurve, from: number, to: number, visitor: StretchVisitor): void {
  if (curve.forEachStretch) curve.forEachStretch(from, to, visitor);
  else visitor.stretch(from, to, -0, 1, curve.equity, 0);
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

/** `dailyReturnsInto`, when given, receives the daily returns the metrics are read from (see {@link curveStatistics}). */
export function computeMetrics(curve: EquityCurve, trades: readonly Trade[], dailyReturnsInto?: Float64Array): Metrics {
  const { time, initialCapital } = curve;
  const bars = time.length;
  const finalCapital = bars > 0 ? equityAt(curve, bars - 1) : initialCapital;
  const statistics = curveStatistics(curve, dailyReturnsInto);
  const { drawdown } = statistics;
  return {
    finalCapital,
    totalReturn: finalCapital / initialCapital - 1,
    cagr: cagr(initialCapital, finalCapital, bars > 0 ? time[bars - 1] - time[0] : 0),
    sharpe: statistics.sharpe,
    sortino: statistics.sortino,
    maxDrawdown: drawdown.depth,
    maxDrawdownDuration: drawdown.durationMs / MS_PER_DAY,
    maxDrawdownDurationBars: drawdown.durationBars,
    ...tradeStatistics(trades),
    exposure: bars === 0 ? 0 : statistics.barsInPosition / bars,
    dailyReturns: statistics.dailyReturns,
  };
}

/** (final / initial)^(1 / years) - 1, with years of 365.25 days between the first and last bar. */
export function cagr(initial: number, final: number, elapsedMs: number): number {
  if (elapsedMs <= 0 || initial <= 0) return 0;
  if (final <= 0) return -1;
  return Math.pow(final / initial, MS_PER_YEAR / elapsedMs) - 1;
}

export interface CurveStatistics {
  readonly dailyReturns: number;
  readonly sharpe: number;
  readonly sortino: number;
  readonly drawdown: Drawdown;
  readonly barsInPosition: number;
}

/**
 * Everything the metrics read from a curve, in one pass over its bars. Sums run in the same order
 * as {@link sharpe}, {@link sortino} and {@link maxDrawdown} over {@link dailyReturns}: the figures
 * are the same to the last bit. Given `dailyReturnsInto` (at least one shorter than the curve),
 * the walk writes those daily returns there as it goes, `dailyReturns` of them, for a caller that
 * reads them again: they equal {@link dailyReturns} of the curve.
 */
export function curveStatistics(curve: EquityCurve, dailyReturnsInto?: Float64Array): CurveStatistics {
  const walk = new CurveWalk(curve, dailyReturnsInto);
  const bars = curve.time.length;
  walkInBlocks(bars, (from, to) => {
    walk.beginBlock(from, to);
    visitStretches(curve, from, to, walk);
  });
  const { count, sum, downsideSquares } = walk;
  const average = sum / count;
  return {
    dailyReturns: count,
    sharpe: count < 2 ? 0 : sharpeRatio(average, shiftedVariance(walk.shiftedSum, walk.shiftedSquares, count)),
    // A return that is NaN or +Infinity (equity of 0) makes the sum so, and is the walk's one inexact case.
    sortino: count === 0 ? 0 : Number.isFinite(sum) ? sortinoRatio(average, downsideSquares, count) : sortino(dailyReturns(curve)),
    drawdown: walk.drawdown(),
    barsInPosition: curve.forEachStretch ? walk.barsHeld : countOnes(curve.inPosition),
  };
}

function countOnes(flags: Uint8Array): number {
  let ones = 0;
  for (let i = 0; i < flags.length; i++) ones += flags[i];
  return ones;
}

/** Equity at bar `i`. */
export function equityAt(curve: EquityCurve, i: number): number {
  let equity = NaN;
  visitStretches(curve, i, i + 1, { stretch: (_from, _to, cash, held, prices, offset) => (equity = cash + held * prices[i - offset]) });
  return equity;
}

/**
 * Calls `walk` on consecutive blocks covering [first, bars), in order, rather than once: a function
 * called often is optimized whole (callees inlined) and stays so from one curve to the next, where
 * one long loop would run each curve's first stretch unoptimized and box every number it touches.
 * The first block is short, so that every line of `walk` has run once before it is optimized.
 */
function walkInBlocks(bars: number, walk: (from: number, to: number) => void): void {
  for (let from = 0, size = FIRST_BLOCK; from < bars; from += size, size = WALK_BLOCK) walk(from, Math.min(bars, from + size));
}

const FIRST_BLOCK = 16;
const WALK_BLOCK = 1 << 14;

/**
 * The running state of {@link curveStatistics}, fed one block of bars at a time, in order: the
 * daily-return sums, the exposure and {@link maxDrawdown}'s episode, all read into locals for the
 * block's loop (it runs once per bar of a long backtest).
 */
class CurveWalk implements StretchVisitor {
  count = 0;
  sum = 0;
  downsideSquares = 0;
  /** The variance's sums: see {@link shiftedVariance}. */
  shiftedSum = 0;
  shiftedSquares = 0;
  /** Bars of stretches with a position (a curve of stretches' exposure). */
  barsHeld = 0;
  /** The first daily return, the sums' shift. */
  private shift = NaN;
  private previousClose = NaN;
  /** Day ends of the curve's bars from `dayEndsBase` on: the curve's own, or the block's. */
  private readonly dayEnds: Uint8Array;
  private dayEndsBase = 0;
  private peak: number;
  private peakIndex = -1;
  private depth = 0;
  private deepestPeakIndex = -1;
  /** The bar that first regained the deepest drawdown's peak; -1 while not regained. */
  private deepestRecoveredAt = -1;

  constructor(
    private readonly curve: EquityCurve,
    private readonly returnsInto: Float64Array | undefined,
  ) {
    if (returnsInto && returnsInto.length < curve.time.length - 1) {
      throw new RangeError(`room for ${returnsInto.length} daily returns for a curve of ${curve.time.length} bars`);
    }
    this.peak = curve.initialCapital;
    this.dayEnds = curve.dayEnds ? checkDayEnds(curve.dayEnds, curve.time.length) : new Uint8Array(Math.min(WALK_BLOCK, curve.time.length));
  }

  /** Before the block [from, to) is walked: marks its day ends, unless the curve has them all. */
  beginBlock(from: number, to: number): void {
    if (this.curve.dayEnds) return;
    markDayEnds(this.curve.time, this.curve.dayOf, from, to, this.dayEnds);
    this.dayEndsBase = from;
  }

  /** One stretch of bars (see {@link StretchVisitor}), the one after the last. */
  stretch(from: number, to: number, cash: number, held: number, prices: Float64Array, offset: number): void {
    if (held !== 0) this.barsHeld += to - from;
    const { dayEnds, dayEndsBase, returnsInto } = this;
    let { count, sum, downsideSquares, shiftedSum, shiftedSquares, shift, previousClose, peak, peakIndex, depth, deepestPeakIndex, deepestRecoveredAt } = this;
    let shallow = shallowBound(peak, depth);
    for (let i = from; i < to; i++) {
      const value = cash + held * prices[i - offset];
      if (value >= peak) {
        if (deepestRecoveredAt < 0 && deepestPeakIndex === peakIndex && depth > 0) deepestRecoveredAt = i;
        peak = value;
        peakIndex = i;
        shallow = shallowBound(peak, depth);
      } else if (!(value > shallow) && (peak - value) / peak > depth) {
        depth = (peak - value) / peak;
        deepestPeakIndex = peakIndex;
        deepestRecoveredAt = -1;
        shallow = shallowBound(peak, depth);
      }
      if (dayEnds[i - dayEndsBase] === 0) continue;
      if (!Number.isNaN(previousClose)) {
        const dailyReturn = value / previousClose - 1;
        if (returnsInto !== undefined) returnsInto[count] = dailyReturn;
        if (++count === 1) shift = dailyReturn;
        sum += dailyReturn;
        // min(r, 0) with no branch to mispredict on about every other day; exact for every finite r.
        const downside = (dailyReturn - Math.abs(dailyReturn)) * 0.5;
        downsideSquares += downside * downside;
        const deviation = dailyReturn - shift;
        shiftedSum += deviation;
        shiftedSquares += deviation * deviation;
      }
      previousClose = value;
    }
    this.count = count;
    this.sum = sum;
    this.downsideSquares = downsideSquares;
    this.shiftedSum = shiftedSum;
    this.shiftedSquares = shiftedSquares;
    this.shift = shift;
    this.previousClose = previousClose;
    this.peak = peak;
    this.peakIndex = peakIndex;
    this.depth = depth;
    this.deepestPeakIndex = deepestPeakIndex;
    this.deepestRecoveredAt = deepestRecoveredAt;
  }

  /** The deepest episode: recovered at its first new peak, else still open at the last bar. */
  drawdown(): Drawdown {
    const { time } = this.curve;
    const end = this.depth === 0 ? -1 : this.deepestRecoveredAt < 0 ? time.length - 1 : this.deepestRecoveredAt;
    if (end < 0) return { depth: this.depth, durationMs: 0, durationBars: 0 };
    const peakIndex = this.deepestPeakIndex;
    return { depth: this.depth, durationMs: time[end] - time[peakIndex < 0 ? 0 : peakIndex], durationBars: end - peakIndex };
  }
}

/**
 * An equity above which a fall from `peak` is certainly no deeper than `depth`, so the walk need not
 * divide to know: the drawdown boundary peak x (1 - depth) raised by a millionth of the depth, far
 * more than the few units in the last place the division and this bound can be off by (it holds for
 * any depth of at least 1e-10). Infinity, so that every fall is divided, below that or when the peak
 * is not positive.
 */
function shallowBound(peak: number, depth: number): number {
  return peak > 0 && depth >= 1e-9 ? peak - peak * depth * (1 - 1e-6) : Infinity;
}

/** Simple returns between consecutive end-of-day equities (the last bar of each day). */
export function dailyReturns(curve: EquityCurve): Float64Array {
  const collector = new DailyReturns(curve);
  visitStretches(curve, 0, curve.time.length, collector);
  return collector.returns.subarray(0, collector.count);
}

/** {@link dailyReturns} fed stretch by stretch: a curve of stretches never makes its whole arrays. */
class DailyReturns implements StretchVisitor {
  readonly returns: Float64Array;
  count = 0;
  private previousClose = NaN;
  private readonly dayEnds: Uint8Array;

  constructor(curve: EquityCurve) {
    this.returns = new Float64Array(Math.max(0, curve.time.length - 1));
    this.dayEnds = curve.dayEnds ? checkDayEnds(curve.dayEnds, curve.time.length) : dayEnds(curve.time, curve.dayOf);
  }

  stretch(from: number, to: number, cash: number, held: number, prices: Float64Array, offset: number): void {
    const { dayEnds, returns } = this;
    let { count, previousClose } = this;
    for (let i = from; i < to; i++) {
      if (dayEnds[i] === 0) continue;
      const value = cash + held * prices[i - offset];
      if (!Number.isNaN(previousClose)) returns[count++] = value / previousClose - 1;
      previousClose = value;
    }
    this.count = count;
    this.previousClose = previousClose;
  }
}

/**
 * 1 for each bar that ends its day: the next bar falls on another day by `dayOf`, and the last
 * bar. Runs over the same bars can share them (see {@link EquityCurve.dayEnds}).
 */
export function dayEnds(time: Float64Array, dayOf: (time: number) => number): Uint8Array {
  return markDayEnds(time, dayOf, 0, time.length, new Uint8Array(time.length));
}

/** Marks in `ends[i - from]` whether bar i of [from, to) ends its day (see {@link dayEnds}). */
function markDayEnds(time: Float64Array, dayOf: (time: number) => number, from: number, to: number, ends: Uint8Array): Uint8Array {
  const last = time.length - 1;
  let day = from < to ? dayOf(time[from]) : NaN;
  for (let i = from; i < to; i++) {
    if (i === last) {
      ends[i - from] = 1;
      break;
    }
    const nextDay = dayOf(time[i + 1]);
    ends[i - from] = nextDay === day ? 0 : 1;
    day = nextDay;
  }
  return ends;
}

/** `ends`, if it marks exactly `bars` bars (see {@link dayEnds}); otherwise a RangeError. */
export function checkDayEnds(ends: Uint8Array, bars: number): Uint8Array {
  if (ends.length !== bars) throw new RangeError(`day ends of ${ends.length} bars for a curve of ${bars}`);
  return ends;
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** sqrt(252) x mean / sample standard deviation (n - 1). 0 when undefined. */
export function sharpe(returns: Float64Array): number {
  if (returns.length < 2) return 0;
  const shift = returns[0];
  let shiftedSum = 0;
  let shiftedSquares = 0;
  for (let i = 0; i < returns.length; i++) {
    const deviation = returns[i] - shift;
    shiftedSum += deviation;
    shiftedSquares += deviation * deviation;
  }
  return sharpeRatio(mean(returns), shiftedVariance(shiftedSum, shiftedSquares, returns.length));
}

/**
 * Sample variance (n - 1) from one pass: sums of the values' deviations from a shift, the first
 * value, which lies within the data's spread. Cancellation then costs about as many digits as
 * log10(1 + (mean - shift)² / variance), a few ulps for any real return series, where sums around
 * zero would lose everything to a steady drift; and the walk need not read the curve a second
 * time for deviations from the mean.
 */
function shiftedVariance(shiftedSum: number, shiftedSquares: number, count: number): number {
  return Math.max(0, (shiftedSquares - (shiftedSum * shiftedSum) / count) / (count - 1));
}

function sharpeRatio(average: number, variance: number): number {
  return variance > 0 ? (Math.sqrt(TRADING_DAYS_PER_YEAR) * average) / Math.sqrt(variance) : 0;
}

/** sqrt(252) x mean / sqrt(mean(min(r, 0)^2)): downside deviation over all days, MAR 0. */
export function sortino(returns: Float64Array): number {
  if (returns.length === 0) return 0;
  let downsideSquares = 0;
  for (let i = 0; i < returns.length; i++) if (returns[i] < 0) downsideSquares += returns[i] * returns[i];
  return sortinoRatio(mean(returns), downsideSquares, returns.length);
}

function sortinoRatio(average: number, downsideSquares: number, count: number): number {
  const downside = Math.sqrt(downsideSquares / count);
  return downside > 0 ? (Math.sqrt(TRADING_DAYS_PER_YEAR) * average) / downside : 0;
}

interface Drawdown {
  readonly depth: number;
  readonly durationMs: number;
  readonly durationBars: number;
}

/**
 * The deepest fall from a running peak, as a positive fraction of that peak (the starting
 * capital is the first peak), and how long that episode lasted: from its peak until equity
 * first regained it, or until the last bar.
 */
export function maxDrawdown(curve: EquityCurve): Drawdown {
  const tracker = new DrawdownTracker(curve);
  const { equity } = curve;
  for (let i = 0; i < equity.length; i++) tracker.add(i, equity[i]);
  return tracker.result();
}

/** {@link maxDrawdown} fed one bar at a time, in order. */
class DrawdownTracker {
  private readonly time: Float64Array;
  private peak: number;
  private peakIndex = -1;
  private depth = 0;
  private durationMs = 0;
  private durationBars = 0;
  private deepestPeakIndex = -1;
  private deepestRecovered = true;
  private lastIndex = -1;

  constructor(curve: EquityCurve) {
    this.time = curve.time;
    this.peak = curve.initialCapital;
  }

  add(i: number, value: number): void {
    this.lastIndex = i;
    if (value >= this.peak) {
      if (!this.deepestRecovered && this.deepestPeakIndex === this.peakIndex) this.closeDeepest(i);
      this.peak = value;
      this.peakIndex = i;
      return;
    }
    const depth = (this.peak - value) / this.peak;
    if (depth > this.depth) {
      this.depth = depth;
      this.durationMs = 0;
      this.durationBars = 0;
      this.deepestPeakIndex = this.peakIndex;
      this.deepestRecovered = false;
    }
  }

  result(): Drawdown {
    if (!this.deepestRecovered && this.lastIndex >= 0) this.closeDeepest(this.lastIndex);
    return { depth: this.depth, durationMs: this.durationMs, durationBars: this.durationBars };
  }

  private closeDeepest(i: number): void {
    const peakIndex = this.deepestPeakIndex;
    this.durationMs = this.time[i] - this.time[peakIndex < 0 ? 0 : peakIndex];
    this.durationBars = i - peakIndex;
    this.deepestRecovered = true;
  }
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
