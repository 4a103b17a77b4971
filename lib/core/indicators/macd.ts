import { Ema } from "./ema";
import type { IncrementalIndicator, MacdValue } from "./types";
import { requirePeriod } from "./validate";

/**
 * MACD line = EMA(fast) - EMA(slow), each EMA seeded with the SMA of its own first values, so
 * the line starts at index slow-1. Signal = EMA(signal) of the MACD line, seeded with the SMA of
 * its first `signal` values: it starts at index slow+signal-2, as does histogram = macd - signal.
 * This is TTR's MACD(percent = FALSE); TA-Lib differs only in seeding the fast EMA later (see
 * docs/indicators.md). A missing close gives NaN for that bar and is skipped.
 *
 * `isReady` turns true with the first signal value; the `macd` field is already defined for the
 * `signal - 1` bars before that (exactly as in the batch output).
 */
export class Macd implements IncrementalIndicator<number, MacdValue> {
  private readonly fast: Ema;
  private readonly slow: Ema;
  private readonly signalAverage: Ema;
  private line = NaN;
  private signalValue = NaN;

  constructor(fast: number, slow: number, signal: number) {
    requireMacdPeriods("Macd", fast, slow, signal);
    this.fast = new Ema(fast);
    this.slow = new Ema(slow);
    this.signalAverage = new Ema(signal);
  }

  /** Allocation-free update; the results are in `macdLine`, `signalLine` and `histogram`. */
  step(close: number): void {
    const fast = this.fast.update(close);
    this.line = fast - this.slow.update(close);
    this.signalValue = this.signalAverage.update(this.line);
  }

  get macdLine(): number {
    return this.line;
  }

  get signalLine(): number {
    return this.signalValue;
  }

  get histogram(): number {
    return this.line - this.signalValue;
  }

  update(close: number): MacdValue {
    this.step(close);
    return this.value;
  }

  get value(): MacdValue {
    return { macd: this.macdLine, signal: this.signalLine, histogram: this.histogram };
  }

  get isReady(): boolean {
    return this.signalAverage.isReady;
  }

  reset(): void {
    this.fast.reset();
    this.slow.reset();
    this.signalAverage.reset();
    this.line = NaN;
    this.signalValue = NaN;
  }
}

function requireMacdPeriods(indicator: string, fast: number, slow: number, signal: number): void {
  requirePeriod(indicator, "fast", fast);
  requirePeriod(indicator, "slow", slow);
  requirePeriod(indicator, "signal", signal);
  if (fast >= slow) {
    throw new RangeError(`${indicator}: fast (${fast}) must be less than slow (${slow})`);
  }
}

export interface MacdSeries {
  readonly macd: Float64Array;
  readonly signal: Float64Array;
  readonly histogram: Float64Array;
}

/** Batch MACD: three arrays the length of `close`, NaN during warm-up. See {@link Macd}. */
export function macd(close: ArrayLike<number>, fast: number, slow: number, signal: number): MacdSeries {
  requireMacdPeriods("macd", fast, slow, signal);
  const indicator = new Macd(fast, slow, signal);
  const out = {
    macd: new Float64Array(close.length),
    signal: new Float64Array(close.length),
    histogram: new Float64Array(close.length),
  };
  for (let i = 0; i < close.length; i++) {
    indicator.step(close[i]);
    out.macd[i] = indicator.macdLine;
    out.signal[i] = indicator.signalLine;
    out.histogram[i] = indicator.histogram;
  }
  return out;
}
