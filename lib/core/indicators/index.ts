export type {
  BandsValue,
  HighLowClose,
  IncrementalIndicator,
  MacdValue,
  PriceVolume,
  VwapBandsValue,
} from "./types";
export { SeriesSma, Sma, sma } from "./sma";
export { Ema, ema } from "./ema";
export { Rsi, rsi } from "./rsi";
export { Macd, macd, type MacdSeries } from "./macd";
export { Bollinger, bollinger, type BollingerSeries } from "./bollinger";
export { Atr, atr, trueRange } from "./atr";
export { RollingVwap, vwap } from "./vwap";
export { RollingHigh, RollingLow, rollingHigh, rollingLow } from "./rolling-extreme";
export { ZScore, zscore } from "./zscore";
export { AverageCache } from "./series-cache";
