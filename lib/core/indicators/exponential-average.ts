import type { IncrementalIndicator } from "./types";
import { isObserved } from "./validate";

/**
 * Exponential smoothing `average += alpha * (x - average)`, seeded with the plain mean of the
 * first `period` observations, so the first value is at the period-th observation.
 * EMA uses alpha = 2/(period+1); Wilder's smoothing (RSI, ATR) uses alpha = 1/period.
 *
 * A missing observation (NaN or ±Infinity) yields NaN for that update and leaves the state as
 * it was: the average carries on from the last observed value.
 */
export class ExponentialAverage implements IncrementalIndicator<number, number> {
  readonly period: number;
  readonly alpha: number;
  private observed = 0;
  private average = 0;
  private current = NaN;

  constructor(period: number, alpha: number) {
    this.period = period;
    this.alpha = alpha;
  }

  update(x: number): number {
    if (!isObserved(x)) return (this.current = NaN);
    if (this.observed >= this.period) {
      this.average += this.alpha * (x - this.average);
      return (this.current = this.average);
    }
    this.average += x;
    if (++this.observed < this.period) return (this.current = NaN);
    this.average /= this.period;
    return (this.current = this.average);
  }

  get value(): number {
    return this.current;
  }

  get isReady(): boolean {
    return this.observed >= this.period;
  }

  reset(): void {
    this.observed = 0;
    this.average = 0;
    this.current = NaN;
  }
}

/**
 * Batch form of {@link ExponentialAverage}: the same operations in the same order (so the same
 * values bit for bit) over locals, written into `out`, in one loop that runs all its statements
 * on every call (see rsi.ts for why that matters to V8).
 */
export function exponentialAverageInto(
  values: ArrayLike<number>,
  period: number,
  alpha: number,
  out: Float64Array,
): Float64Array {
  let observed = 0;
  let average = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!isObserved(x)) {
      out[i] = NaN;
    } else if (observed >= period) {
      out[i] = average += alpha * (x - average);
    } else {
      average += x;
      out[i] = ++observed === period ? (average /= period) : NaN;
    }
  }
  return out;
}

/** Wilder's smoothing: alpha = 1/period, seeded with the mean of the first `period` values. */
export function wilderAverage(period: number): ExponentialAverage {
  return new ExponentialAverage(period, 1 / period);
}
