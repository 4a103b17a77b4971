import type { IncrementalIndicator } from "./types";
import { isObserved, requirePeriod } from "./validate";

/**
 * Maximum of the last `period` observations in amortized O(1) per update, with a monotonic
 * deque: it holds the window's candidates for the maximum in decreasing order, each stored with
 * its update number so it can be dropped once it leaves the window. The minimum is the maximum
 * of the negated values (`sign` = -1), which keeps one code path for both.
 * A missing observation gives NaN until it has left the window.
 */
class RollingMaximum {
  private readonly period: number;
  private readonly sign: 1 | -1;
  /**
   * The deque, as two ring buffers of power-of-two capacity > period (so wrapping is a mask and
   * a full deque of `period` candidates is not mistaken for an empty one):
   * candidate values (times `sign`) and their update numbers.
   */
  private readonly values: Float64Array;
  private readonly stamps: Float64Array;
  private readonly mask: number;
  private head = 0;
  private tail = 0;
  private updates = 0;
  private lastMissing = -Infinity;

  constructor(period: number, sign: 1 | -1) {
    this.period = period;
    this.sign = sign;
    const capacity = 2 ** Math.ceil(Math.log2(period + 1));
    this.values = new Float64Array(capacity);
    this.stamps = new Float64Array(capacity);
    this.mask = capacity - 1;
  }

  push(x: number): number {
    const stamp = this.updates++;
    if (this.head !== this.tail && this.stamps[this.head] <= stamp - this.period) {
      this.head = (this.head + 1) & this.mask;
    }
    if (isObserved(x)) this.append(this.sign * x, stamp);
    else this.lastMissing = stamp;
    const ready = stamp >= this.period - 1 && stamp - this.lastMissing >= this.period;
    return ready ? this.sign * this.values[this.head] : NaN;
  }

  get isReady(): boolean {
    return this.updates >= this.period;
  }

  reset(): void {
    this.head = 0;
    this.tail = 0;
    this.updates = 0;
    this.lastMissing = -Infinity;
  }

  /** Drops the candidates that `value` dominates from the back, then appends it. */
  private append(value: number, stamp: number): void {
    const { values, mask, head } = this;
    let tail = this.tail;
    while (tail !== head && values[(tail - 1) & mask] <= value) tail = (tail - 1) & mask;
    values[tail] = value;
    this.stamps[tail] = stamp;
    this.tail = (tail + 1) & mask;
  }
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
  return runOver(x, new RollingHigh(period));
}

/** Batch rolling minimum: same length as `x`, NaN during warm-up. See {@link RollingLow}. */
export function rollingLow(x: ArrayLike<number>, period: number): Float64Array {
  requirePeriod("rollingLow", "period", period);
  return runOver(x, new RollingLow(period));
}

function runOver(x: ArrayLike<number>, indicator: RollingExtreme): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = indicator.update(x[i]);
  return out;
}
