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
 * values bit for bit), with the warm-up and the steady state in separate loops over locals.
 */
export function exponentialAverageSeries(values: ArrayLike<number>, period: number, alpha: number): Float64Array {
  const length = values.length;
  const out = new Float64Array(length);
  let observed = 0;
  let average = 0;
  let i = 0;
  for (; i < length && observed < period; i++) {
    const x = values[i];
    out[i] = NaN;
    if (!isObserved(x)) continue;
    average += x;
    if (++observed === period) out[i] = average /= period;
  }
  for (; i < length; i++) {
    const x = values[i];
    if (isObserved(x)) out[i] = average += alpha * (x - average);
    else out[i] = NaN;
  }
  return out;
}

/** Wilder's smoothing: alpha = 1/period, seeded with the mean of the first `period` values. */
export function wilderAverage(period: number): ExponentialAverage {
  return new ExponentialAverage(period, 1 / period);
}
