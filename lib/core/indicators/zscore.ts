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
 * input instead of a ring buffer.
 */
export function zscore(x: ArrayLike<number>, period: number): Float64Array {
  requirePeriod("zscore", "period", period);
  return zscoreInto(x, period, new Float64Array(x.length));
}

/**
 * The batch loop, given its output (see rsi.ts): the first `period` values, which have nothing
 * leaving the window, then one loop for the rest that also counts down to the recomputations
 * (as RollingMoments does).
 */
function zscoreInto(x: ArrayLike<number>, period: number, out: Float64Array): Float64Array {
  let shift = 0;
  let sum = 0;
  let squares = 0;
  let missing = period;
  let untilRecompute = period;
  let i = 0;
  for (; i < period && i < x.length; i++) {
    const value = x[i];
    if (isObserved(value)) {
      sum += value - shift;
      squares += (value - shift) * (value - shift);
      missing--;
    }
    if (--untilRecompute === 0) {
      untilRecompute = period;
      if (isObserved(value)) shift = value;
      sum = deviationSum(x, i + 1 - period, i + 1, shift);
      squares = squaredDeviationSum(x, i + 1 - period, i + 1, shift);
    }
    out[i] = missing === 0 ? standardScore(value - shift, sum, squares, period) : NaN;
  }
  for (; i < x.length; i++) {
    const value = x[i];
    const outgoing = x[i - period];
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
    if (--untilRecompute === 0) {
      untilRecompute = period;
      if (isObserved(value)) shift = value;
      if (missing === 0) {
        // The same sums as below (nothing to skip), in one pass.
        sum = 0;
        squares = 0;
        for (let j = i + 1 - period; j <= i; j++) {
          const deviation = x[j] - shift;
          sum += deviation;
          squares += deviation * deviation;
        }
      } else {
        sum = deviationSum(x, i + 1 - period, i + 1, shift);
        squares = squaredDeviationSum(x, i + 1 - period, i + 1, shift);
      }
    }
    out[i] = missing === 0 ? standardScore(value - shift, sum, squares, period) : NaN;
  }
  return out;
}
