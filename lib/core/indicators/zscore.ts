import { RollingMoments } from "./rolling-moments";
import type { IncrementalIndicator } from "./types";
import { requirePeriod } from "./validate";

/**
 * Rolling z-score: (x - SMA(period)) / population standard deviation over the same window
 * (which includes x). First value at index period-1. A window without dispersion (all values
 * equal) gives 0, the neutral value, rather than 0/0. A missing input gives NaN until it has
 * left the window.
 */
export class ZScore implements IncrementalIndicator<number, number> {
  private readonly moments: RollingMoments;
  private current = NaN;

  constructor(period: number) {
    requirePeriod("ZScore", "period", period);
    this.moments = new RollingMoments(period);
  }

  update(x: number): number {
    this.moments.push(x);
    const deviation = x - this.moments.mean;
    const variance = this.moments.variance;
    return (this.current = variance > 0 ? deviation / Math.sqrt(variance) : variance === 0 ? 0 : NaN);
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

/** Batch z-score: same length as `x`, NaN during warm-up. See {@link ZScore}. */
export function zscore(x: ArrayLike<number>, period: number): Float64Array {
  requirePeriod("zscore", "period", period);
  const indicator = new ZScore(period);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = indicator.update(x[i]);
  return out;
}
