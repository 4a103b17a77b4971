import { type ExponentialAverage, wilderAverage } from "./exponential-average";
import type { HighLowClose, IncrementalIndicator } from "./types";
import { isObserved, requireEqualLengths, requirePeriod } from "./validate";

/**
 * True range: max(high, previous close) - min(low, previous close). Undefined (NaN) on the
 * first bar, which has no previous close.
 */
export function trueRangeOf(high: number, low: number, previousClose: number): number {
  return Math.max(high, previousClose) - Math.min(low, previousClose);
}

/**
 * Average True Range (Wilder): true ranges smoothed with alpha = 1/period, seeded with the mean
 * of the first `period` true ranges (bars 1..period), so the first value is at index `period`.
 * A bar with a missing high, low or close gives NaN and is skipped: the next true range uses
 * the last observed close.
 */
export class Atr implements IncrementalIndicator<HighLowClose, number> {
  private readonly average: ExponentialAverage;
  private previousClose = NaN;
  private current = NaN;

  constructor(period: number) {
    requirePeriod("Atr", "period", period);
    this.average = wilderAverage(period);
  }

  /** Allocation-free form of `update`. */
  step(high: number, low: number, close: number): number {
    if (!isObserved(high + low + close)) return (this.current = NaN);
    const range = trueRangeOf(high, low, this.previousClose);
    this.previousClose = close;
    return (this.current = this.average.update(range));
  }

  update(bar: HighLowClose): number {
    return this.step(bar.high, bar.low, bar.close);
  }

  get value(): number {
    return this.current;
  }

  get isReady(): boolean {
    return this.average.isReady;
  }

  reset(): void {
    this.average.reset();
    this.previousClose = NaN;
    this.current = NaN;
  }
}

/** Batch ATR: same length as the inputs, NaN during warm-up. See {@link Atr}. */
export function atr(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period: number,
): Float64Array {
  requirePeriod("atr", "period", period);
  requireEqualLengths("atr", { high, low, close });
  // Atr.step and its Wilder average's update (as exponentialAverageInto does it), the same
  // operations in the same order over locals, in one pass: a second pass over the true ranges
  // costs about a fifth of the speed.
  const alpha = 1 / period;
  const out = new Float64Array(close.length);
  let previousClose = NaN;
  let observed = 0;
  let average = 0;
  for (let i = 0; i < close.length; i++) {
    const barClose = close[i];
    if (!isObserved(high[i] + low[i] + barClose)) {
      out[i] = NaN;
      continue;
    }
    const range = trueRangeOf(high[i], low[i], previousClose);
    previousClose = barClose;
    if (!isObserved(range)) {
      out[i] = NaN;
    } else if (observed >= period) {
      out[i] = average += alpha * (range - average);
    } else {
      average += range;
      out[i] = ++observed === period ? (average /= period) : NaN;
    }
  }
  return out;
}

/** Batch true range: NaN at index 0 (no previous close) and wherever an input is missing. */
export function trueRange(high: ArrayLike<number>, low: ArrayLike<number>, close: ArrayLike<number>): Float64Array {
  requireEqualLengths("trueRange", { high, low, close });
  const out = new Float64Array(close.length);
  if (close.length === 0) return out;
  out[0] = NaN;
  let previousClose = close[0];
  for (let i = 1; i < close.length; i++) {
    const barClose = close[i];
    out[i] = trueRangeOf(high[i], low[i], previousClose);
    previousClose = barClose;
  }
  return out;
}
