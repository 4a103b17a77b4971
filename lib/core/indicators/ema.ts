import { ExponentialAverage, exponentialAverageInto } from "./exponential-average";
import { requirePeriod } from "./validate";

/**
 * Exponential moving average, alpha = 2/(period+1), seeded with the SMA of the first `period`
 * values (TA-Lib and TTR convention): first value at index period-1.
 * A missing input gives NaN for that bar and is otherwise skipped.
 */
export class Ema extends ExponentialAverage {
  constructor(period: number) {
    requirePeriod("Ema", "period", period);
    super(period, 2 / (period + 1));
  }
}

/** Batch EMA: same length as `close`, NaN during warm-up. See {@link Ema}. */
export function ema(close: ArrayLike<number>, period: number): Float64Array {
  requirePeriod("ema", "period", period);
  return exponentialAverageInto(close, period, 2 / (period + 1), new Float64Array(close.length));
}
