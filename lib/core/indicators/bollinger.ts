import { RollingMoments } from "./rolling-moments";
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

/** Batch Bollinger Bands: three arrays the length of `close`. See {@link Bollinger}. */
export function bollinger(close: ArrayLike<number>, period: number, k: number): BollingerSeries {
  requirePeriod("bollinger", "period", period);
  requireNonNegative("bollinger", "k", k);
  const indicator = new Bollinger(period, k);
  const out = {
    middle: new Float64Array(close.length),
    upper: new Float64Array(close.length),
    lower: new Float64Array(close.length),
  };
  for (let i = 0; i < close.length; i++) {
    indicator.step(close[i]);
    out.middle[i] = indicator.middle;
    out.upper[i] = indicator.upper;
    out.lower[i] = indicator.lower;
  }
  return out;
}
