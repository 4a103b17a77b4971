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

/** Batch RSI: same length as `close`, NaN during warm-up. See {@link Rsi}. */
export function rsi(close: ArrayLike<number>, period: number): Float64Array {
  requirePeriod("rsi", "period", period);
  const indicator = new Rsi(period);
  const out = new Float64Array(close.length);
  for (let i = 0; i < close.length; i++) out[i] = indicator.update(close[i]);
  return out;
}
