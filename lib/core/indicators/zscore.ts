import { deviationSum, RollingMoments, squaredDeviationSum, standardScore } from "./rolling-moments";
import type { IncrementalIndicator } from "./types";
import { isObserved, requirePeriod } from "./validate";

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
 * {@link RollingMoments} (bit for bit), reading the value leaving the window straight from the
 * input, in chunks of `period` that end where the sums are recomputed, with a lean inner loop
 * while the window holds no missing value.
 */
export function zscore(x: ArrayLike<number>, period: number): Float64Array {
  requirePeriod("zscore", "period", period);
  const length = x.length;
  const out = new Float64Array(length);
  let shift = 0;
  let sum = 0;
  let squares = 0;
  let missing = period;
  for (let i = 0; i < length; ) {
    const end = Math.min(i + period, length);
    if (missing === 0) {
      for (; i < end; i++) {
        const value = x[i];
        const outgoing = x[i - period];
        if (!isObserved(value + outgoing)) break;
        const deviationIn = value - shift;
        const deviationOut = outgoing - shift;
        const change = deviationIn - deviationOut;
        sum += change;
        squares += change * (deviationIn + deviationOut);
        out[i] = standardScore(deviationIn, sum, squares, period);
      }
    }
    for (; i < end; i++) {
      const value = x[i];
      const outgoing = i >= period ? x[i - period] : NaN;
      const deviationIn = value - shift;
      const deviationOut = outgoing - shift;
      if (isObserved(value + outgoing)) {
        const change = deviationIn - deviationOut;
        sum += change;
        squares += change * (deviationIn + deviationOut);
      } else {
        if (isObserved(outgoing)) {
          sum -= deviationOut;
          squares -= deviationOut * deviationOut;
        } else {
          missing--;
        }
        if (isObserved(value)) {
          sum += deviationIn;
          squares += deviationIn * deviationIn;
        } else {
          missing++;
        }
      }
      out[i] = missing === 0 ? standardScore(deviationIn, sum, squares, period) : NaN;
    }
    if (end % period !== 0) break;
    const latest = x[end - 1];
    if (isObserved(latest)) shift = latest;
    if (missing === 0) {
      // The same sums as below (nothing to skip), in one pass.
      sum = 0;
      squares = 0;
      for (let j = end - period; j < end; j++) {
        const deviation = x[j] - shift;
        sum += deviation;
        squares += deviation * deviation;
      }
      out[end - 1] = standardScore(latest - shift, sum, squares, period);
    } else {
      sum = deviationSum(x, end - period, end, shift);
      squares = squaredDeviationSum(x, end - period, end, shift);
    }
  }
  return out;
}
