import { RollingMoments, standardScore, walkRollingMoments, type MomentsSink } from "./rolling-moments";
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
    return (this.current = this.moments.score(x));
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

/**
 * Batch z-score: same length as `x`, NaN during warm-up. See {@link ZScore}: the arithmetic of
 * {@link RollingMoments} bit for bit (see {@link walkRollingMoments}).
 */
export function zscore(x: ArrayLike<number>, period: number): Float64Array {
  requirePeriod("zscore", "period", period);
  const out = new Float64Array(x.length);
  walkRollingMoments(x, period, new ScoreSink(out, period));
  return out;
}

class ScoreSink implements MomentsSink {
  constructor(
    private readonly out: Float64Array,
    private readonly period: number,
  ) {}

  window(i: number, _shift: number, sum: number, squares: number, deviation: number): void {
    this.out[i] = standardScore(deviation, sum, squares, this.period);
  }

  gap(i: number): void {
    this.out[i] = NaN;
  }
}
