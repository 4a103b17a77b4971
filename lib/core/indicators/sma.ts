import { deviationSum } from "./rolling-moments";
import type { IncrementalIndicator } from "./types";
import { isObserved, requirePeriod } from "./validate";

/**
 * Simple moving average: the arithmetic mean of the last `period` values.
 * First value at index period-1; a missing input (NaN) gives NaN until it leaves the window.
 *
 * Numerics (shared by both faces, which agree bit for bit): a running sum of deviations from a
 * reference value close to the window, updated by `x - outgoing` and recomputed exactly from the
 * window, against the latest value as the new reference, once the window is first full and then
 * every {@link recomputeInterval} updates (a whole number of windows, at least 256 values).
 * Rounding error never builds up beyond a few hundred updates' worth however long the series.
 */
export class Sma implements IncrementalIndicator<number, number> {
  readonly period: number;
  /** Ring buffer of the window; unfilled slots hold NaN and count as missing. */
  private readonly window: Float64Array;
  private next = 0;
  private filled = 0;
  private missing: number;
  private shift = 0;
  private sum = 0;
  private readonly every: number;
  private untilRecompute: number;
  private current = NaN;

  constructor(period: number) {
    requirePeriod("Sma", "period", period);
    this.period = period;
    this.window = new Float64Array(period).fill(NaN);
    this.missing = period;
    this.every = recomputeInterval(period);
    this.untilRecompute = period;
  }

  update(x: number): number {
    const next = this.next;
    const outgoing = this.window[next];
    this.window[next] = x;
    const change = x - outgoing;
    if (isObserved(change)) this.sum += change;
    else this.replaceWithMissing(x, outgoing);
    this.next = next + 1 < this.period ? next + 1 : 0;
    // Recomputes fall on a wrap of the ring, when its slots are in time order like the batch's.
    if (--this.untilRecompute === 0) {
      this.untilRecompute = this.every;
      if (isObserved(x)) this.shift = x;
      this.sum = deviationSum(this.window, 0, this.period, this.shift);
    }
    return (this.current = this.missing === 0 ? this.shift + this.sum / this.period : NaN);
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

  /** The slow path: the incoming or the outgoing slot (or both) holds no observation. */
  private replaceWithMissing(x: number, outgoing: number): void {
    if (isObserved(outgoing)) {
      this.sum -= outgoing - this.shift;
    } else {
      this.missing--;
      if (this.filled < this.period) this.filled++;
    }
    if (isObserved(x)) this.sum += x - this.shift;
    else this.missing++;
  }
}

/** Updates between exact recomputations of the running sum: whole windows, at least 256 values. */
export function recomputeInterval(period: number): number {
  return period * Math.ceil(256 / period);
}

/**
 * Batch SMA: same length as `close`, NaN during warm-up. See {@link Sma}: the same arithmetic,
 * reading the outgoing value straight from the input instead of a ring buffer, in chunks that end
 * where the running sum is recomputed, with a lean inner loop while the window has no gap.
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
      for (; i < end; i++) {
        const change = close[i] - close[i - period];
        if (!isObserved(change)) break;
        sum += change;
        out[i] = shift + sum / period;
      }
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

/**
 * The batch loop of {@link Sma}, resumable: each {@link advance} writes the averages of the next
 * values of the series, so a reader can take it a block at a time, with no array the length of the
 * series, and still get the numbers `sma` gives. It reads the outgoing value straight from the
 * input instead of a ring buffer, in chunks that end where the running sum is recomputed, with a
 * lean inner loop while the window has no gap.
 */
export class SmaWalk {
  /** The index of the next average to write. */
  private next = 0;
  private shift = 0;
  private sum = 0;
  private missing: number;
  private readonly every: number;

  constructor(
    private readonly values: ArrayLike<number>,
    readonly period: number,
  ) {
    requirePeriod("SmaWalk", "period", period);
    this.missing = period;
    this.every = recomputeInterval(period);
  }

  /** Writes the averages at indexes [next, to) to `out`, the one at index i to out[i - offset]. */
  advance(to: number, out: Float64Array, offset: number): void {
    const { values, period, every } = this;
    let { next: i, shift, sum, missing } = this;
    // Before the first recomputation only the gaps count: the sum is then taken from the window.
    for (; i < to && i < period - 1; i++) {
      if (isObserved(values[i])) missing--;
      out[i - offset] = NaN;
    }
    while (i < to) {
      const sinceRecompute = (i + 1 - period) % every;
      const end = Math.min(sinceRecompute === 0 ? i : i + every - sinceRecompute, to);
      if (missing === 0) {
        for (; i < end; i++) {
          const change = values[i] - values[i - period];
          // isObserved(change), written out: V8 checks an imported function's binding on every call.
          if (change - change !== 0) break;
          sum += change;
          out[i - offset] = shift + sum / period;
        }
      }
      for (; i < end; i++) {
        const x = values[i];
        const outgoing = values[i - period];
        const change = x - outgoing;
        if (isObserved(change)) {
          sum += change;
        } else {
          if (isObserved(outgoing)) sum -= outgoing - shift;
          else missing--;
          if (isObserved(x)) sum += x - shift;
          else missing++;
        }
        out[i - offset] = missing === 0 ? shift + sum / period : NaN;
      }
      if (i === to) break;
      // Index i recomputes the sum from the window, against its value as the new reference.
      const latest = values[i];
      if (i >= period && !isObserved(values[i - period])) missing--;
      if (isObserved(latest)) {
        shift = latest;
        if (i < period) missing--;
      } else if (i >= period) {
        missing++;
      }
      sum = deviationSum(values, i + 1 - period, i + 1, shift);
      out[i - offset] = missing === 0 ? shift + sum / period : NaN;
      i++;
    }
    this.next = i;
    this.shift = shift;
    this.sum = sum;
    this.missing = missing;
  }
}
