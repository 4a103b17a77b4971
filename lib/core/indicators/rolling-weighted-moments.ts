import { VARIANCE_NOISE } from "./rolling-moments";
import { recomputeInterval } from "./sma";
import { isObserved } from "./validate";

/**
 * Volume-weighted mean and population variance of price over the last `period` bars:
 * mean = Σ v·p / Σ v, variance = Σ v·(p - mean)² / Σ v.
 *
 * Numerics: prices enter the sums as deviations from reference values close to the window, and
 * the sums are recomputed exactly from the window against a fresh reference (the latest price)
 * on a wrap of the ring. The mean's sums (Σ v and Σ v·(p - meanShift)) are recomputed as
 * {@link Sma}'s are: once the window is first full, then every {@link recomputeInterval} bars;
 * a mean does not square anything, so a reference a few hundred bars old costs it nothing.
 * The variance's sums are recomputed every `period` bars against their own reference, so
 * squaring cancels only as much as the window's own movement forces (see RollingMoments); a
 * variance below the rounding noise of its sums is 0.
 *
 * A bar whose price or volume is missing, or whose volume is negative, makes both NaN until it
 * has left the window; so does a window whose volume is all zero (counted exactly, not by
 * comparing a rounded sum with 0).
 */
export class RollingWeightedMoments {
  readonly period: number;
  private readonly prices: Float64Array;
  private readonly volumes: Float64Array;
  private next = 0;
  private filled = 0;
  /** Bars in the window with a missing price or volume, or a negative volume. */
  private invalid = 0;
  private tradedBars = 0;
  private volume = 0;
  private readonly every: number;
  private untilMeanRecompute: number;
  private meanShift = 0;
  private weightedSum = 0;
  private spreadShift = 0;
  private spreadSum = 0;
  private spreadSquares = 0;

  constructor(period: number) {
    this.period = period;
    this.prices = new Float64Array(period).fill(NaN);
    this.volumes = new Float64Array(period).fill(NaN);
    this.every = recomputeInterval(period);
    this.untilMeanRecompute = period;
  }

  get isFull(): boolean {
    return this.filled === this.period;
  }

  push(price: number, volume: number): void {
    const slot = this.next;
    if (this.filled < this.period) this.filled++;
    else this.accumulate(this.prices[slot], this.volumes[slot], -1);
    this.prices[slot] = price;
    this.volumes[slot] = volume;
    this.accumulate(price, volume, 1);
    if (++this.next === this.period) {
      this.next = 0;
      this.recomputeSpread(price);
    }
    if (--this.untilMeanRecompute === 0) {
      this.untilMeanRecompute = this.every;
      this.recomputeMean(price);
    }
  }

  get mean(): number {
    if (!this.hasValue) return NaN;
    return this.meanShift + this.weightedSum / this.volume;
  }

  get variance(): number {
    if (!this.hasValue) return NaN;
    const meanDeviation = this.spreadSum / this.volume;
    const meanSquare = this.spreadSquares / this.volume;
    const variance = meanSquare - meanDeviation * meanDeviation;
    return variance > meanSquare * VARIANCE_NOISE ? variance : 0;
  }

  reset(): void {
    this.prices.fill(NaN);
    this.volumes.fill(NaN);
    this.next = 0;
    this.filled = 0;
    this.invalid = 0;
    this.tradedBars = 0;
    this.volume = 0;
    this.untilMeanRecompute = this.period;
    this.meanShift = 0;
    this.weightedSum = 0;
    this.spreadShift = 0;
    this.spreadSum = 0;
    this.spreadSquares = 0;
  }

  private get hasValue(): boolean {
    return this.filled === this.period && this.invalid === 0 && this.tradedBars > 0;
  }

  /** Adds (direction 1) or removes (direction -1) one bar's contribution to the sums. */
  private accumulate(price: number, volume: number, direction: 1 | -1): void {
    if (!isValidBar(price, volume)) {
      this.invalid += direction;
      return;
    }
    if (volume === 0) return;
    const weight = direction * volume;
    const spreadDeviation = price - this.spreadShift;
    this.tradedBars += direction;
    this.volume += weight;
    this.weightedSum += weight * (price - this.meanShift);
    this.spreadSum += weight * spreadDeviation;
    this.spreadSquares += weight * spreadDeviation * spreadDeviation;
  }

  /** Σ v and Σ v·(p - meanShift) afresh; called on a wrap, when the slots are in time order. */
  private recomputeMean(latestPrice: number): void {
    if (isObserved(latestPrice)) this.meanShift = latestPrice;
    this.volume = 0;
    this.weightedSum = 0;
    for (let i = 0; i < this.period; i++) {
      const price = this.prices[i];
      const volume = this.volumes[i];
      if (!isValidBar(price, volume) || volume === 0) continue;
      this.volume += volume;
      this.weightedSum += volume * (price - this.meanShift);
    }
  }

  /** The variance's sums afresh against the latest price. */
  private recomputeSpread(latestPrice: number): void {
    if (isObserved(latestPrice)) this.spreadShift = latestPrice;
    this.spreadSum = 0;
    this.spreadSquares = 0;
    for (let i = 0; i < this.period; i++) {
      const price = this.prices[i];
      const volume = this.volumes[i];
      if (!isValidBar(price, volume) || volume === 0) continue;
      const deviation = price - this.spreadShift;
      this.spreadSum += volume * deviation;
      this.spreadSquares += volume * deviation * deviation;
    }
  }
}

/** A bar with an observed price and volume and a volume that is not negative. */
export function isValidBar(price: number, volume: number): boolean {
  return isObserved(price + volume) && volume >= 0;
}
