import { isObserved } from "./validate";

/**
 * Mean and population variance of the last `period` observations, in O(1) per update.
 *
 * Numerics: the sums hold deviations from a reference value (`shift`) near the window's
 * values, so squaring does not cancel catastrophically, and they are recomputed from the
 * window (with a fresh reference) each time the ring buffer wraps. Rounding error therefore
 * never builds up beyond one window's worth, however long the series; the recomputation costs
 * O(period) every `period` updates. A variance below the sums' rounding noise is reported as 0.
 *
 * A missing observation (NaN or ±Infinity) makes `mean` and `variance` NaN until it has left
 * the window.
 */
export class RollingMoments {
  readonly period: number;
  private readonly window: Float64Array;
  private next = 0;
  private filled = 0;
  private missing = 0;
  private shift = 0;
  private sum = 0;
  private sumOfSquares = 0;

  constructor(period: number) {
    this.period = period;
    this.window = new Float64Array(period);
  }

  get isFull(): boolean {
    return this.filled === this.period;
  }

  push(x: number): void {
    if (this.filled === this.period) this.remove(this.window[this.next]);
    else this.filled++;
    this.window[this.next] = x;
    this.add(x);
    if (++this.next === this.period) {
      this.next = 0;
      this.recompute(x);
    }
  }

  /** Mean of the window; NaN until it is full or while it holds a missing observation. */
  get mean(): number {
    if (this.filled !== this.period || this.missing !== 0) return NaN;
    return this.shift + this.sum / this.period;
  }

  /** Population variance (divides by `period`); never negative; NaN when `mean` is. */
  get variance(): number {
    if (this.filled !== this.period || this.missing !== 0) return NaN;
    const meanDeviation = this.sum / this.period;
    const meanSquare = this.sumOfSquares / this.period;
    const variance = meanSquare - meanDeviation * meanDeviation;
    return variance > meanSquare * VARIANCE_NOISE ? variance : 0;
  }

  reset(): void {
    this.window.fill(0);
    this.next = 0;
    this.filled = 0;
    this.missing = 0;
    this.shift = 0;
    this.sum = 0;
    this.sumOfSquares = 0;
  }

  private add(x: number): void {
    if (!isObserved(x)) {
      this.missing++;
      return;
    }
    const deviation = x - this.shift;
    this.sum += deviation;
    this.sumOfSquares += deviation * deviation;
  }

  private remove(x: number): void {
    if (!isObserved(x)) {
      this.missing--;
      return;
    }
    const deviation = x - this.shift;
    this.sum -= deviation;
    this.sumOfSquares -= deviation * deviation;
  }

  private recompute(latest: number): void {
    if (isObserved(latest)) this.shift = latest;
    let sum = 0;
    let sumOfSquares = 0;
    for (let i = 0; i < this.filled; i++) {
      const x = this.window[i];
      if (!isObserved(x)) continue;
      const deviation = x - this.shift;
      sum += deviation;
      sumOfSquares += deviation * deviation;
    }
    this.sum = sum;
    this.sumOfSquares = sumOfSquares;
  }
}

/**
 * Relative size below which a variance is indistinguishable from the rounding error of the
 * sums it is computed from (a few hundred ulps of the mean square).
 */
const VARIANCE_NOISE = 2 ** -44;
