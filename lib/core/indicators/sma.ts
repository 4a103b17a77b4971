import { RollingMoments } from "./rolling-moments";
import type { IncrementalIndicator } from "./types";
import { requirePeriod } from "./validate";

/**
 * Simple moving average: the arithmetic mean of the last `period` values.
 * First value at index period-1; a missing input (NaN) gives NaN until it leaves the window.
 */
export class Sma implements IncrementalIndicator<number, number> {
  private readonly moments: RollingMoments;
  private current = NaN;

  constructor(period: number) {
    requirePeriod("Sma", "period", period);
    this.moments = new RollingMoments(period);
  }

  update(x: number): number {
    this.moments.push(x);
    return (this.current = this.moments.mean);
  }

  get value(): number {
    return this.current;
  }

  get isReady(): boolean {
    return this.moments.isFull;
  }

  reset(): void {
    this.moments.reset();
    this.current = NaN;
  }
}

/** Batch SMA: same length as `close`, NaN during warm-up. See {@link Sma}. */
export function sma(close: ArrayLike<number>, period: number): Float64Array {
  requirePeriod("sma", "period", period);
  const indicator = new Sma(period);
  const out = new Float64Array(close.length);
  for (let i = 0; i < close.length; i++) out[i] = indicator.update(close[i]);
  return out;
}
