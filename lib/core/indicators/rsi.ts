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
    const gain = this.gains.update(change > 0 ? change : 0);
    const loss = this.losses.update(change < 0 ? -change : 0);
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

function relativeStrength(averageGain: number, averageLoss: number): number {
  const movement = averageGain + averageLoss;
  if (movement > 0) return (100 * averageGain) / movement;
  return movement === 0 ? 50 : NaN;
}

/**
 * Batch RSI: same length as `close`, NaN during warm-up. See {@link Rsi}: the same arithmetic
 * (bit for bit) in one loop with the two Wilder averages held in locals.
 */
export function rsi(close: ArrayLike<number>, period: number): Float64Array {
  requirePeriod("rsi", "period", period);
  const length = close.length;
  const out = new Float64Array(length);
  const alpha = 1 / period;
  let previous = NaN;
  let seen = 0;
  let gain = 0;
  let loss = 0;
  let i = 0;
  for (; i < length && seen < period; i++) {
    const change = close[i] - previous;
    if (isObserved(close[i])) previous = close[i];
    out[i] = NaN;
    if (!isObserved(change)) continue;
    gain += change > 0 ? change : 0;
    loss += change < 0 ? -change : 0;
    if (++seen < period) continue;
    gain /= period;
    loss /= period;
    out[i] = relativeStrength(gain, loss);
  }
  for (; i < length; i++) {
    const change = close[i] - previous;
    if (!isObserved(change)) {
      if (isObserved(close[i])) previous = close[i];
      out[i] = NaN;
      continue;
    }
    previous = close[i];
    gain += alpha * ((change > 0 ? change : 0) - gain);
    loss += alpha * ((change < 0 ? -change : 0) - loss);
    const movement = gain + loss;
    out[i] = movement > 0 ? (100 * gain) / movement : movement === 0 ? 50 : NaN;
  }
  return out;
}
