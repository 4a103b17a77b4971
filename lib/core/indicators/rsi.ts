import { type ExponentialAverage, wilderAverage } from "./exponential-average";
import type { IncrementalIndicator } from "./types";
import { isObserved, requirePeriod } from "./validate";

/**
 * Relative Strength Index (Wilder): 100 * avgGain / (avgGain + avgLoss), where the averages are
 * Wilder-smoothed (alpha = 1/period) close-to-close gains and losses, each seeded with the plain
 * mean of the first `period` changes. First value at index `period`.
 * With neither gains nor losses in the averages (a flat series) the RSI is 50, the neutral value.
 * A missing close gives NaN for that bar and is skipped: the next change is measured from the
 * last observed close.
 */
export class Rsi implements IncrementalIndicator<number, number> {
  private readonly gains: ExponentialAverage;
  private readonly losses: ExponentialAverage;
  private previousClose = NaN;
  private current = NaN;

  constructor(period: number) {
    requirePeriod("Rsi", "period", period);
    this.gains = wilderAverage(period);
    this.losses = wilderAverage(period);
  }

  update(close: number): number {
    if (!isObserved(close)) return (this.current = NaN);
    const change = close - this.previousClose;
    this.previousClose = close;
    if (!isObserved(change)) return (this.current = NaN);
    const size = Math.abs(change);
    const gain = this.gains.update(gainOf(change, size));
    const loss = this.losses.update(lossOf(change, size));
    return (this.current = relativeStrength(gain, loss));
  }

  get value(): number {
    return this.current;
  }

  get isReady(): boolean {
    return this.gains.isReady;
  }

  reset(): void {
    this.gains.reset();
    this.losses.reset();
    this.previousClose = NaN;
    this.current = NaN;
  }
}

/**
 * max(change, 0) and max(-change, 0) from the change and its size, without a branch on the sign:
 * a random walk's signs defeat branch prediction. Exact (the sum doubles or cancels exactly) for
 * any |change| up to half the largest double.
 */
function gainOf(change: number, size: number): number {
  return (size + change) * 0.5;
}

function lossOf(change: number, size: number): number {
  return (size - change) * 0.5;
}

function relativeStrength(averageGain: number, averageLoss: number): number {
  const movement = averageGain + averageLoss;
  if (movement > 0) return (100 * averageGain) / movement;
  return movement === 0 ? 50 : NaN;
}

/**
 * Batch RSI: same length as `close`, NaN during warm-up. See {@link Rsi}: the same arithmetic
 * (bit for bit) with the two Wilder averages held in locals.
 */
export function rsi(close: ArrayLike<number>, period: number): Float64Array {
  requirePeriod("rsi", "period", period);
  return relativeStrengthInto(close, period, 1 / period, new Float64Array(close.length));
}

/**
 * The batch loop, on its own and given its output: one loop whose every statement runs on every
 * call, so V8 has type feedback for all of it when it optimizes during the first call (it
 * allocates feedback lazily; code that ran only before that would deoptimize the function and
 * leave later calls in slower on-stack-replacement code).
 */
function relativeStrengthInto(close: ArrayLike<number>, period: number, alpha: number, out: Float64Array): Float64Array {
  let previous = NaN;
  let seen = 0;
  let gain = 0;
  let loss = 0;
  for (let i = 0; i < close.length; i++) {
    const x = close[i];
    const change = x - previous;
    if (!isObserved(change)) {
      if (isObserved(x)) previous = x;
      out[i] = NaN;
      continue;
    }
    previous = x;
    const size = Math.abs(change);
    if (seen >= period) {
      gain += alpha * (gainOf(change, size) - gain);
      loss += alpha * (lossOf(change, size) - loss);
    } else {
      gain += gainOf(change, size);
      loss += lossOf(change, size);
      if (++seen < period) {
        out[i] = NaN;
        continue;
      }
      gain /= period;
      loss /= period;
    }
    out[i] = relativeStrength(gain, loss);
  }
  return out;
}
