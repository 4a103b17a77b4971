import { isObserved } from "./validate";

/**
 * Mean and population variance of the last `period` observations, in O(1) per update.
 *
 * Numerics: the sums hold deviations from a reference value (`shift`) close to the window's
 * values, and they are recomputed from the window, against a fresh reference (the latest value),
 * every `period` updates. Rounding error therefore never builds up beyond one window's worth,
 * however long the series, and the reference never lags the window by more than one window, so
 * squaring cancels only as much as the window's own movement forces. The recomputation costs
 * O(period) every `period` updates. A variance below the rounding noise of the sums is reported
 * as exactly 0, never as a tiny negative number.
 *
 * A missing observation (NaN or ±Infinity) makes `mean` and `variance` NaN until it has left
 * the window.
 */
export class RollingMoments {
  readonly period: number;
  /** Ring buffer of the window; unfilled slots hold NaN and count as missing. */
  private readonly window: Float64Array;
  private next = 0;
  private filled = 0;
  /** Slots of the window that hold no observation (unfilled or missing). */
  private missing: number;
  private shift = 0;
  private sum = 0;
  private sumOfSquares = 0;

  constructor(period: number) {
    this.period = period;
    this.window = new Float64Array(period).fill(NaN);
    this.missing = period;
  }

  get isFull(): boolean {
    return this.filled === this.period;
  }

  push(x: number): void {
    const { window, next, shift } = this;
    const outgoing = window[next];
    window[next] = x;
    if (isObserved(x + outgoing)) {
      const deviationIn = x - shift;
      const deviationOut = outgoing - shift;
      const change = deviationIn - deviationOut;
      this.sum += change;
      this.sumOfSquares += change * (deviationIn + deviationOut);
    } else {
      this.replaceWithMissing(x, outgoing);
    }
    if (next + 1 < this.period) {
      this.next = next + 1;
    } else {
      this.next = 0;
      this.recompute(x);
    }
  }

  /** Mean of the window; NaN until it is full and while it holds a missing observation. */
  get mean(): number {
    return this.missing === 0 ? this.shift + this.sum / this.period : NaN;
  }

  /** Population variance (divides by `period`); never negative; NaN when `mean` is. */
  get variance(): number {
    return this.missing === 0 ? populationVariance(this.sum, this.sumOfSquares, this.period) : NaN;
  }

  /** Standard score of `x` against the window (see {@link standardScore}); NaN when `mean` is. */
  score(x: number): number {
    return this.missing === 0 ? standardScore(x - this.shift, this.sum, this.sumOfSquares, this.period) : NaN;
  }

  reset(): void {
    this.window.fill(NaN);
    this.next = 0;
    this.filled = 0;
    this.missing = this.period;
    this.shift = 0;
    this.sum = 0;
    this.sumOfSquares = 0;
  }

  /** The slow path: the incoming or the outgoing slot (or both) holds no observation. */
  private replaceWithMissing(x: number, outgoing: number): void {
    if (isObserved(outgoing)) {
      const deviation = outgoing - this.shift;
      this.sum -= deviation;
      this.sumOfSquares -= deviation * deviation;
    } else {
      this.missing--;
      if (this.filled < this.period) this.filled++;
    }
    if (isObserved(x)) {
      const deviation = x - this.shift;
      this.sum += deviation;
      this.sumOfSquares += deviation * deviation;
    } else {
      this.missing++;
    }
  }

  private recompute(latest: number): void {
    if (isObserved(latest)) this.shift = latest;
    const { window, shift } = this;
    let sum = 0;
    let sumOfSquares = 0;
    for (let i = 0; i < window.length; i++) {
      const deviation = window[i] - shift;
      if (!isObserved(deviation)) continue;
      sum += deviation;
      sumOfSquares += deviation * deviation;
    }
    this.sum = sum;
    this.sumOfSquares = sumOfSquares;
  }
}

/** What {@link walkRollingMoments} reports for each index, in order. */
export interface MomentsSink {
  /**
   * The window ending at `i` holds `period` observations: Σ d and Σ d² of their deviations d from
   * `shift`, and the deviation of the value at `i` itself.
   */
  window(i: number, shift: number, sum: number, squares: number, deviation: number): void;
  /** The window ending at `i` is not full yet or holds a missing observation. */
  gap(i: number): void;
}

/**
 * The batch face of {@link RollingMoments}: the same arithmetic bit for bit, reading the value
 * leaving the window straight from the input instead of a ring buffer. The first `period` values,
 * which have nothing leaving the window, run in a loop of their own (code that runs only at the
 * start of a call is kept out of the steady loop so that V8 optimizes it with full type feedback,
 * see rsi.ts). The rest runs in chunks of `period` values: the last value of each is where
 * RollingMoments wraps its ring and recomputes the sums, so it only counts the missing values in
 * and out, and the steady loop carries no countdown.
 */
export function walkRollingMoments(x: ArrayLike<number>, period: number, sink: MomentsSink): void {
  let shift = 0;
  let sum = 0;
  let squares = 0;
  let missing = period;
  let i = 0;
  // Only the gaps count here: the sums are first taken from the whole window at its end.
  for (; i < period && i < x.length; i++) {
    const value = x[i];
    if (isObserved(value)) missing--;
    if (i === period - 1) {
      if (isObserved(value)) shift = value;
      sum = deviationSum(x, i + 1 - period, i + 1, shift);
      squares = squaredDeviationSum(x, i + 1 - period, i + 1, shift);
    }
    if (missing === 0) sink.window(i, shift, sum, squares, value - shift);
    else sink.gap(i);
  }
  while (i < x.length) {
    for (const end = Math.min(i + period - 1, x.length); i < end; i++) {
      const value = x[i];
      const outgoing = x[i - period];
      const deviationIn = value - shift;
      const deviationOut = outgoing - shift;
      const both = value + outgoing;
      // isObserved(both), written out: V8 checks an imported function's binding on every call.
      if (both - both === 0) {
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
      if (missing === 0) sink.window(i, shift, sum, squares, deviationIn);
      else sink.gap(i);
    }
    if (i === x.length) break;
    const value = x[i];
    if (!isObserved(x[i - period])) missing--;
    if (isObserved(value)) shift = value;
    else missing++;
    if (missing === 0) {
      // The same sums as below (nothing to skip), in one pass.
      sum = 0;
      squares = 0;
      for (let j = i + 1 - period; j <= i; j++) {
        const deviation = x[j] - shift;
        sum += deviation;
        squares += deviation * deviation;
      }
      sink.window(i, shift, sum, squares, value - shift);
    } else {
      sum = deviationSum(x, i + 1 - period, i + 1, shift);
      squares = squaredDeviationSum(x, i + 1 - period, i + 1, shift);
      sink.gap(i);
    }
    i++;
  }
}

/**
 * Population variance from Σ d and Σ d² of the `count` deviations d of a window from a reference
 * value; a result below the rounding noise of the sums ({@link VARIANCE_NOISE}) is exactly 0.
 */
export function populationVariance(sum: number, sumOfSquares: number, count: number): number {
  const meanDeviation = sum / count;
  const meanSquare = sumOfSquares / count;
  const variance = meanSquare - meanDeviation * meanDeviation;
  return variance > meanSquare * VARIANCE_NOISE ? variance : 0;
}

/**
 * (x - mean) / population standard deviation from `deviation` = x - shift and the window's Σ d
 * and Σ d² (d = value - shift). Both scaled by the count, that is (n·deviation - Σ d) /
 * √(n·Σ d² - (Σ d)²): one square root and one division, no division by n. The noise floor is
 * {@link populationVariance}'s, multiplied through by n²; without dispersion the score is 0.
 */
export function standardScore(deviation: number, sum: number, sumOfSquares: number, count: number): number {
  const scaledSquares = count * sumOfSquares;
  const spread = scaledSquares - sum * sum;
  return spread > scaledSquares * VARIANCE_NOISE ? (count * deviation - sum) / Math.sqrt(spread) : 0;
}

/** Σ (values[i] - shift) over [from, to), skipping missing values. */
export function deviationSum(values: ArrayLike<number>, from: number, to: number, shift: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) {
    const deviation = values[i] - shift;
    if (isObserved(deviation)) sum += deviation;
  }
  return sum;
}

/** Σ (values[i] - shift)² over [from, to), skipping missing values. */
export function squaredDeviationSum(values: ArrayLike<number>, from: number, to: number, shift: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) {
    const deviation = values[i] - shift;
    if (isObserved(deviation)) sum += deviation * deviation;
  }
  return sum;
}

/**
 * Relative size below which a variance is indistinguishable from the rounding error of the
 * sums it is computed from (a few hundred ulps of the mean square deviation).
 */
export const VARIANCE_NOISE = 2 ** -44;
