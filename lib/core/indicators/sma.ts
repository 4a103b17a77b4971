import { deviationSum } from "./rolling-moments";
import type { IncrementalIndicator } from "./types";
import { isObserved, requirePeriod } from "./validate";

/**
 * The running sum an SMA keeps of its window, shared by the live and the series faces: deviations
 * from a reference value (`shift`) close to the window, updated by `x - outgoing`, and a count of
 * the window's missing values. A missing input (NaN or ±Infinity) gives NaN until it leaves.
 */
class WindowSum {
  protected sum = 0;
  protected shift = 0;
  protected missing: number;

  constructor(readonly period: number) {
    this.missing = period;
  }

  /** The window's mean, NaN while it holds a missing value. */
  protected mean(): number {
    return this.missing === 0 ? this.shift + this.sum / this.period : NaN;
  }

  /** `x` comes into the window as `outgoing` (NaN while the window fills) leaves it. */
  protected replace(x: number, outgoing: number): void {
    const change = x - outgoing;
    if (isObserved(change)) {
      this.sum += change;
      return;
    }
    if (isObserved(outgoing)) this.sum -= outgoing - this.shift;
    else this.missing--;
    if (isObserved(x)) this.sum += x - this.shift;
    else this.missing++;
  }

  /** Recomputes the sum exactly from the window, values [from, to) in time order, around its latest value. */
  protected recompute(values: ArrayLike<number>, from: number, to: number): void {
    const latest = values[to - 1];
    if (isObserved(latest)) this.shift = latest;
    this.sum = deviationSum(values, from, to, this.shift);
  }
}

/**
 * Simple moving average: the arithmetic mean of the last `period` values.
 * First value at index period-1; a missing input (NaN) gives NaN until it leaves the window.
 *
 * Numerics (shared by every face, which agree bit for bit): a running sum of deviations from a
 * reference value close to the window, updated by `x - outgoing` and recomputed exactly from the
 * window, against the latest value as the new reference, once the window is first full and then
 * every {@link recomputeInterval} updates (a whole number of windows, at least 256 values).
 * Rounding error never builds up beyond a few hundred updates' worth however long the series.
 */
export class Sma extends WindowSum implements IncrementalIndicator<number, number> {
  /** Ring buffer of the window; unfilled slots hold NaN and count as missing. */
  private readonly window: Float64Array;
  private next = 0;
  private filled = 0;
  private readonly every: number;
  private untilRecompute: number;
  private current = NaN;

  constructor(period: number) {
    requirePeriod("Sma", "period", period);
    super(period);
    this.window = new Float64Array(period).fill(NaN);
    this.every = recomputeInterval(period);
    this.untilRecompute = period;
  }

  update(x: number): number {
    const next = this.next;
    const outgoing = this.window[next];
    this.window[next] = x;
    if (!isObserved(outgoing) && this.filled < this.period) this.filled++;
    this.replace(x, outgoing);
    this.next = next + 1 < this.period ? next + 1 : 0;
    // Recomputes fall on a wrap of the ring, when its slots are in time order like the batch's.
    if (--this.untilRecompute === 0) {
      this.untilRecompute = this.every;
      this.recompute(this.window, 0, this.period);
    }
    return (this.current = this.mean());
  }

  get value(): number {
    return this.current;
  }

  get isReady(): boolean {
    return this.filled === this.period;
  }

  reset(): void {
    this.window.fill(NaN);
    this.next = 0;
    this.filled = 0;
    this.missing = this.period;
    this.shift = 0;
    this.sum = 0;
    this.untilRecompute = this.period;
    this.current = NaN;
  }
}

/**
 * {@link Sma} of a series it can read whole, taking its bars in order: the window is read from the
 * series instead of a ring, so it costs no copy per bar and gives the same numbers bit for bit.
 * For a walker over the series (a backtest) that also reads the running sum directly on its hot
 * path: {@link plainRunUntil} says how far the sum may simply be moved by `x - outgoing`.
 */
export class SeriesSma extends WindowSum {
  /** The bar whose intake recomputes the sum exactly. */
  private recomputeAt: number;
  private readonly every: number;

  constructor(
    readonly series: Float64Array,
    period: number,
  ) {
    requirePeriod("SeriesSma", "period", period);
    super(period);
    this.every = recomputeInterval(period);
    this.recomputeAt = period - 1;
  }

  /** Takes in bar `i` (the bar after the last one taken in) and returns the average there. */
  takeIn(i: number): number {
    const { series, period } = this;
    this.replace(series[i], i >= period ? series[i - period] : NaN);
    if (i === this.recomputeAt) {
      this.recomputeAt += this.every;
      this.recompute(series, i + 1 - period, i + 1);
    }
    return this.mean();
  }

  /**
   * The first bar from `next` on that must go through {@link takeIn}: the next recompute, or `next`
   * itself while the window holds a missing value. Before it, a bar whose change
   * `series[i] - series[i - period]` is observed may simply add that change to the running sum.
   */
  plainRunUntil(next: number): number {
    return this.missing === 0 ? this.recomputeAt : next;
  }

  /** The running sum and its reference, for a walker that moves the sum itself (see {@link plainRunUntil}). */
  get runningSum(): number {
    return this.sum;
  }

  set runningSum(sum: number) {
    this.sum = sum;
  }

  get reference(): number {
    return this.shift;
  }
}

/** Updates between exact recomputations of the running sum: whole windows, at least 256 values. */
export function recomputeInterval(period: number): number {
  return period * Math.ceil(256 / period);
}

/**
 * Batch SMA: same length as `close`, NaN during warm-up. See {@link Sma}: the same arithmetic,
 * reading the outgoing value straight from the input instead of a ring buffer, in chunks that end
 * where the running sum is recomputed, with a lean inner loop (checked once per chunk rather than
 * per value) while the window has no gap.
 */
export function sma(close: ArrayLike<number>, period: number): Float64Array {
  requirePeriod("sma", "period", period);
  return smaInto(close, period, recomputeInterval(period), new Float64Array(close.length));
}

/**
 * The batch loop, given its output: the first window (nothing leaves it yet) in a loop of its
 * own, then the chunks. Code that runs only at the start of a call is kept out of the steady
 * loop so that V8 optimizes that loop with full type feedback (see rsi.ts).
 */
function smaInto(close: ArrayLike<number>, period: number, every: number, out: Float64Array): Float64Array {
  let shift = 0;
  let sum = 0;
  let missing = period;
  let i = 0;
  for (; i < period && i < close.length; i++) {
    const x = close[i];
    if (isObserved(x)) {
      sum += x - shift;
      missing--;
    }
    out[i] = NaN;
  }
  for (let end = i; (end - period) % every === 0; ) {
    const latest = close[end - 1];
    if (isObserved(latest)) shift = latest;
    sum = deviationSum(close, end - period, end, shift);
    out[end - 1] = missing === 0 ? shift + sum / period : NaN;
    end = Math.min(end + every, close.length);
    if (i === end) break;
    if (missing === 0) {
      // Optimistic: no per-value check. A missing value leaves the running sum NaN or infinite
      // for the rest of the chunk (it can never come back to a finite number), so a finite sum at
      // the end vouches for every value written; otherwise the careful loop redoes the chunk.
      const chunkStart = i;
      let running = sum;
      for (; i < end; i++) {
        running += close[i] - close[i - period];
        out[i] = shift + running / period;
      }
      if (isObserved(running)) sum = running;
      else i = chunkStart;
    }
    for (; i < end; i++) {
      const x = close[i];
      const outgoing = close[i - period];
      const change = x - outgoing;
      if (isObserved(change)) {
        sum += change;
      } else {
        if (isObserved(outgoing)) sum -= outgoing - shift;
        else missing--;
        if (isObserved(x)) sum += x - shift;
        else missing++;
      }
      out[i] = missing === 0 ? shift + sum / period : NaN;
    }
  }
  return out;
}
