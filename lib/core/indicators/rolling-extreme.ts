import type { IncrementalIndicator } from "./types";
import { requirePeriod } from "./validate";

/**
 * Maximum of the last `period` observations with the van Herk/Gil-Werman block algorithm: the
 * updates fall into blocks of `period`, and a window ending at offset k of a block is the tail
 * (offsets k+1..) of the previous block plus the head (..k) of the current one. The maximum of
 * the current block's head is kept as a running maximum; the maxima of every tail of the
 * previous block are computed once, right to left, when it completes. That is three Math.max
 * per update however the data moves, with no deque whose work depends on the data. The minimum
 * is the maximum of the negated values (`sign` = -1), which is exact, so one code path serves
 * both.
 *
 * Math.max propagates NaN, so a missing observation (mapped to NaN by {@link observedOrNaN})
 * makes the result NaN until it has left the window.
 */
class RollingMaximum {
  private readonly period: number;
  private readonly sign: 1 | -1;
  /** The current block's values (times `sign`, missing ones as NaN). */
  private readonly block: Float64Array;
  /** Maxima of the previous block's tails: tails[j] covers offsets j..period-1; tails[period] = -∞. */
  private readonly tails: Float64Array;
  private offset = 0;
  private head = -Infinity;
  private updates = 0;

  constructor(period: number, sign: 1 | -1) {
    this.period = period;
    this.sign = sign;
    this.block = new Float64Array(period);
    this.tails = new Float64Array(period + 1).fill(-Infinity);
  }

  push(x: number): number {
    const offset = this.offset;
    const value = observedOrNaN(this.sign * x);
    this.block[offset] = value;
    this.head = Math.max(offset === 0 ? -Infinity : this.head, value);
    const maximum = Math.max(this.tails[offset + 1], this.head);
    if (offset + 1 < this.period) {
      this.offset = offset + 1;
    } else {
      this.offset = 0;
      tailMaxima(this.block, 0, this.period, this.tails);
    }
    return this.updates++ >= this.period - 1 ? this.sign * maximum : NaN;
  }

  get isReady(): boolean {
    return this.updates >= this.period;
  }

  reset(): void {
    this.offset = 0;
    this.head = -Infinity;
    this.updates = 0;
  }
}

/**
 * `x` for a finite number, NaN for NaN and ±Infinity (which count as missing), without a branch:
 * 0·x is ±0 for finite x, which adds exactly, and NaN otherwise.
 */
function observedOrNaN(x: number): number {
  return x + 0 * x;
}

/** tails[j - from] = max(values[j..to)) for j in [from, to), scanning right to left. */
function tailMaxima(values: ArrayLike<number>, from: number, to: number, tails: Float64Array): void {
  let maximum = -Infinity;
  for (let j = to - 1; j >= from; j--) tails[j - from] = maximum = Math.max(maximum, values[j]);
}

/**
 * Batch form of {@link RollingMaximum} into `out`: the same block arithmetic in one loop over the
 * input. The loop runs all of its statements on every call, so V8 has type feedback for them when
 * it optimizes during the first call (see rsi.ts).
 */
function rollingMaximumInto(x: ArrayLike<number>, period: number, sign: 1 | -1, out: Float64Array): Float64Array {
  const block = new Float64Array(period);
  const tails = new Float64Array(period + 1).fill(-Infinity);
  let offset = 0;
  let head = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const value = observedOrNaN(sign * x[i]);
    block[offset] = value;
    head = Math.max(head, value);
    out[i] = sign * Math.max(tails[offset + 1], head);
    if (++offset === period) {
      tailMaxima(block, 0, period, tails);
      offset = 0;
      head = -Infinity;
    }
  }
  return out.fill(NaN, 0, Math.min(period - 1, x.length));
}

abstract class RollingExtreme implements IncrementalIndicator<number, number> {
  private readonly maximum: RollingMaximum;
  private current = NaN;

  protected constructor(period: number, sign: 1 | -1) {
    this.maximum = new RollingMaximum(period, sign);
  }

  update(x: number): number {
    return (this.current = this.maximum.push(x));
  }

  get value(): number {
    return this.current;
  }

  get isReady(): boolean {
    return this.maximum.isReady;
  }

  reset(): void {
    this.maximum.reset();
    this.current = NaN;
  }
}

/** Highest value of the last `period` inputs (current one included); first at index period-1. */
export class RollingHigh extends RollingExtreme {
  constructor(period: number) {
    requirePeriod("RollingHigh", "period", period);
    super(period, 1);
  }
}

/** Lowest value of the last `period` inputs (current one included); first at index period-1. */
export class RollingLow extends RollingExtreme {
  constructor(period: number) {
    requirePeriod("RollingLow", "period", period);
    super(period, -1);
  }
}

/** Batch rolling maximum: same length as `x`, NaN during warm-up. See {@link RollingHigh}. */
export function rollingHigh(x: ArrayLike<number>, period: number): Float64Array {
  requirePeriod("rollingHigh", "period", period);
  return rollingMaximumInto(x, period, 1, new Float64Array(x.length));
}

/** Batch rolling minimum: same length as `x`, NaN during warm-up. See {@link RollingLow}. */
export function rollingLow(x: ArrayLike<number>, period: number): Float64Array {
  requirePeriod("rollingLow", "period", period);
  return rollingMaximumInto(x, period, -1, new Float64Array(x.length));
}
