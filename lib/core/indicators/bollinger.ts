import { populationVariance, RollingMoments, walkRollingMoments, type MomentsSink } from "./rolling-moments";
import type { BandsValue, IncrementalIndicator } from "./types";
import { requireNonNegative, requirePeriod } from "./validate";

/**
 * Bollinger Bands: middle = SMA(period); upper/lower = middle ± k × the population standard
 * deviation (divided by `period`, as TA-Lib and TTR do) of the same window. First value at
 * index period-1; a missing close gives NaN until it has left the window.
 */
export class Bollinger implements IncrementalIndicator<number, BandsValue> {
  private readonly moments: RollingMoments;
  private readonly k: number;
  private middleValue = NaN;
  private width = NaN;

  constructor(period: number, k: number) {
    requirePeriod("Bollinger", "period", period);
    requireNonNegative("Bollinger", "k", k);
    this.moments = new RollingMoments(period);
    this.k = k;
  }

  /** Allocation-free update; the results are in `middle`, `upper` and `lower`. */
  step(close: number): void {
    this.moments.push(close);
    this.middleValue = this.moments.mean;
    this.width = this.k * Math.sqrt(this.moments.variance);
  }

  get middle(): number {
    return this.middleValue;
  }

  get upper(): number {
    return this.middleValue + this.width;
  }

  get lower(): number {
    return this.middleValue - this.width;
  }

  update(close: number): BandsValue {
    this.step(close);
    return this.value;
  }

  get value(): BandsValue {
    return { middle: this.middle, upper: this.upper, lower: this.lower };
  }

  get isReady(): boolean {
    return this.moments.isFull;
  }

  reset(): void {
    this.moments.reset();
    this.middleValue = NaN;
    this.width = NaN;
  }
}

export interface BollingerSeries {
  readonly middle: Float64Array;
  readonly upper: Float64Array;
  readonly lower: Float64Array;
}

/**
 * Batch Bollinger Bands: three arrays the length of `close`. See {@link Bollinger}: the arithmetic
 * of {@link RollingMoments} bit for bit (see {@link walkRollingMoments}).
 */
export function bollinger(close: ArrayLike<number>, period: number, k: number): BollingerSeries {
  requirePeriod("bollinger", "period", period);
  requireNonNegative("bollinger", "k", k);
  const length = close.length;
  const bands = new BandsSink(new Float64Array(length), new Float64Array(length), new Float64Array(length), period, k);
  walkRollingMoments(close, period, bands);
  return { middle: bands.middle, upper: bands.upper, lower: bands.lower };
}

class BandsSink implements MomentsSink {
  constructor(
    readonly middle: Float64Array,
    readonly upper: Float64Array,
    readonly lower: Float64Array,
    private readonly period: number,
    private readonly k: number,
  ) {}

  window(i: number, shift: number, sum: number, squares: number): void {
    const middle = shift + sum / this.period;
    const width = this.k * Math.sqrt(populationVariance(sum, squares, this.period));
    this.middle[i] = middle;
    this.upper[i] = middle + width;
    this.lower[i] = middle - width;
  }

  gap(i: number): void {
    this.middle[i] = NaN;
    this.upper[i] = NaN;
    this.lower[i] = NaN;
  }
}
