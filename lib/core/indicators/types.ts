/**
 * The live face of an indicator: feed one observation per bar, read the latest value.
 *
 * `update` returns the value for the observation just given (the same thing `value` then
 * holds). `value` is NaN, or an object whose fields are NaN, until `isReady` is true, that is,
 * until the warm-up period has been seen. After warm-up a value can still be NaN for a bar
 * whose input was missing (see docs/indicators.md, "Missing values").
 */
export interface IncrementalIndicator<In, Out> {
  update(input: In): Out;
  readonly value: Out;
  readonly isReady: boolean;
  /** Forgets every observation, as if freshly constructed. */
  reset(): void;
}

export interface MacdValue {
  readonly macd: number;
  readonly signal: number;
  readonly histogram: number;
}

export interface BandsValue {
  readonly middle: number;
  readonly upper: number;
  readonly lower: number;
}

export interface VwapBandsValue {
  readonly vwap: number;
  readonly upper: number;
  readonly lower: number;
}

export interface HighLowClose {
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

export interface PriceVolume {
  readonly price: number;
  readonly volume: number;
}
