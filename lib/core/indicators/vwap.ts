import { isValidBar, RollingWeightedMoments } from "./rolling-weighted-moments";
import { recomputeInterval } from "./sma";
import type { IncrementalIndicator, PriceVolume, VwapBandsValue } from "./types";
import { isObserved, requireEqualLengths, requireNonNegative, requirePeriod } from "./validate";

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

/**
 * Batch rolling VWAP (no bands): same length as the inputs. See {@link RollingVwap}: the
 * arithmetic of {@link RollingWeightedMoments} for the mean (bit for bit), reading the bar leaving
 * the window straight from the inputs, in chunks that end where the sums are recomputed, with a
 * lean inner loop while the window holds only valid bars and some volume.
 *
 * A zero-volume bar adds ±0 to the sums here where the class skips it: the same sums, since they
 * start at +0 and so are never -0. Whether the window traded at all is read from the index of the
 * last bar with volume instead of a count.
 */
export function vwap(price: ArrayLike<number>, volume: ArrayLike<number>, period: number): Float64Array {
  requirePeriod("vwap", "period", period);
  requireEqualLengths("vwap", { price, volume });
  return vwapInto(price, volume, period, recomputeInterval(period), new Float64Array(price.length));
}

/** The batch loop, given its output (see rsi.ts). */
function vwapInto(
  price: ArrayLike<number>,
  volume: ArrayLike<number>,
  period: number,
  every: number,
  out: Float64Array,
): Float64Array {
  let shift = 0;
  let totalVolume = 0;
  let weightedSum = 0;
  let invalid = 0;
  let lastTraded = -1;
  let i = 0;
  // The first window: nothing leaves it yet.
  for (; i < period && i < price.length; i++) {
    if (isValidBar(price[i], volume[i])) {
      totalVolume += volume[i];
      weightedSum += volume[i] * (price[i] - shift);
      if (volume[i] !== 0) lastTraded = i;
    } else {
      invalid++;
    }
    out[i] = NaN;
  }
  // Then chunks, each ending where the sums are recomputed from the window.
  for (let end = i; (end - period) % every === 0; ) {
    const latest = price[end - 1];
    if (isObserved(latest)) shift = latest;
    totalVolume = 0;
    weightedSum = 0;
    for (let j = end - period; j < end; j++) {
      if (!isValidBar(price[j], volume[j])) continue;
      totalVolume += volume[j];
      weightedSum += volume[j] * (price[j] - shift);
    }
    if (invalid === 0 && lastTraded >= end - period) out[end - 1] = shift + weightedSum / totalVolume;
    end = Math.min(end + every, price.length);
    if (i === end) break;
    if (invalid === 0) {
      for (; i < end; i++) {
        const p = price[i];
        const v = volume[i];
        if (!isValidBar(p, v)) break;
        if (v !== 0) lastTraded = i;
        else if (lastTraded <= i - period) break;
        const outgoingVolume = volume[i - period];
        totalVolume -= outgoingVolume;
        weightedSum -= outgoingVolume * (price[i - period] - shift);
        totalVolume += v;
        weightedSum += v * (p - shift);
        out[i] = shift + weightedSum / totalVolume;
      }
    }
    for (; i < end; i++) {
      const outgoingPrice = price[i - period];
      const outgoingVolume = volume[i - period];
      if (isValidBar(outgoingPrice, outgoingVolume)) {
        totalVolume -= outgoingVolume;
        weightedSum -= outgoingVolume * (outgoingPrice - shift);
      } else {
        invalid--;
      }
      const p = price[i];
      const v = volume[i];
      if (isValidBar(p, v)) {
        totalVolume += v;
        weightedSum += v * (p - shift);
        if (v !== 0) lastTraded = i;
      } else {
        invalid++;
      }
      out[i] = invalid === 0 && lastTraded > i - period ? shift + weightedSum / totalVolume : NaN;
    }
  }
  return out;
}
