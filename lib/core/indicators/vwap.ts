import { RollingWeightedMoments } from "./rolling-weighted-moments";
import type { IncrementalIndicator, PriceVolume, VwapBandsValue } from "./types";
import { requireEqualLengths, requireNonNegative, requirePeriod } from "./validate";

/**
 * Rolling VWAP over the last `period` bars: Σ price·volume / Σ volume, with bands at
 * vwap ± k × the volume-weighted population standard deviation of price over the same window.
 * First value at index period-1. A window with no volume at all gives NaN, as does a window
 * holding a missing price or volume or a negative volume.
 */
export class RollingVwap implements IncrementalIndicator<PriceVolume, VwapBandsValue> {
  private readonly moments: RollingWeightedMoments;
  private readonly k: number;
  private average = NaN;
  private width = NaN;

  constructor(period: number, k: number) {
    requirePeriod("RollingVwap", "period", period);
    requireNonNegative("RollingVwap", "k", k);
    this.moments = new RollingWeightedMoments(period);
    this.k = k;
  }

  /** Allocation-free update; the results are in `vwap`, `upper` and `lower`. */
  step(price: number, volume: number): void {
    this.moments.push(price, volume);
    this.average = this.moments.mean;
    this.width = this.k === 0 ? 0 : this.k * Math.sqrt(this.moments.variance);
  }

  get vwap(): number {
    return this.average;
  }

  get upper(): number {
    return this.average + this.width;
  }

  get lower(): number {
    return this.average - this.width;
  }

  update(bar: PriceVolume): VwapBandsValue {
    this.step(bar.price, bar.volume);
    return this.value;
  }

  get value(): VwapBandsValue {
    return { vwap: this.vwap, upper: this.upper, lower: this.lower };
  }

  get isReady(): boolean {
    return this.moments.isFull;
  }

  reset(): void {
    this.moments.reset();
    this.average = NaN;
    this.width = NaN;
  }
}

/** Batch rolling VWAP (no bands): same length as the inputs. See {@link RollingVwap}. */
export function vwap(price: ArrayLike<number>, volume: ArrayLike<number>, period: number): Float64Array {
  requirePeriod("vwap", "period", period);
  requireEqualLengths("vwap", { price, volume });
  const indicator = new RollingVwap(period, 0);
  const out = new Float64Array(price.length);
  for (let i = 0; i < price.length; i++) {
    indicator.step(price[i], volume[i]);
    out[i] = indicator.vwap;
  }
  return out;
}
