import { VARIANCE_NOISE } from "./rolling-moments";
import { isObserved } from "./validate";

/**
 * Volume-weighted mean and population variance of price over the last `period` bars:
 * mean = Σ v·p / Σ v, variance = Σ v·(p - mean)² / Σ v. Same numerics as RollingMoments
 * (deviations from a nearby reference, recomputation every `period` bars, noise-level
 * variance is 0).
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
  private shift = 0;
  private volume = 0;
  private weightedSum = 0;
  private weightedSquares = 0;

  constructor(period: number) {
    this.period = period;
    this.prices = new Float64Array(period).fill(NaN);
    this.volumes = new Float64Array(period).fill(NaN);
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
      this.recompute(price);
    }
  }

  get mean(): number {
    if (!this.hasValue) return NaN;
    return this.shift + this.weightedSum / this.volume;
  }

  get variance(): number {
    if (!this.hasValue) return NaN;
    const meanDeviation = this.weightedSum / this.volume;
    const meanSquare = this.weightedSquares / this.volume;
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
    this.shift = 0;
    this.volume = 0;
    this.weightedSum = 0;
    this.weightedSquares = 0;
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
    const deviation = price - this.shift;
    const weight = direction * volume;
    this.tradedBars += direction;
    this.volume += weight;
    this.weightedSum += weight * deviation;
    this.weightedSquares += weight * deviation * deviation;
  }

  private recompute(latestPrice: number): void {
    if (isObserved(latestPrice)) this.shift = latestPrice;
    this.volume = 0;
    this.weightedSum = 0;
    this.weightedSquares = 0;
    this.tradedBars = 0;
    this.invalid = 0;
    for (let i = 0; i < this.filled; i++) this.accumulate(this.prices[i], this.volumes[i], 1);
  }
}

function isValidBar(price: number, volume: number): boolean {
  return isObserved(price + volume) && volume >= 0;
}
