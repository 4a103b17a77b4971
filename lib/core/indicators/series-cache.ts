import { ema } from "./ema";
import { sma } from "./sma";

/**
 * Batch averages of one price series, each computed once and shared by every reader (a backtest's
 * strategy, or the many runs of a parameter sweep over the same bars). Values equal the
 * incremental indicators' bit for bit, so a strategy may read them instead of updating its own.
 */
export class AverageCache {
  private readonly computed = new Map<string, Float64Array>();

  constructor(readonly close: Float64Array) {}

  sma(period: number): Float64Array {
    return this.memo(`sma:${period}`, () => sma(this.close, period));
  }

  ema(period: number): Float64Array {
    return this.memo(`ema:${period}`, () => ema(this.close, period));
  }

  private memo(key: string, compute: () => Float64Array): Float64Array {
    let values = this.computed.get(key);
    if (values === undefined) {
      values = compute();
      this.computed.set(key, values);
    }
    return values;
  }
}
