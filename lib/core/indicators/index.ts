export type {
  BandsValue,
  HighLowClose,
  IncrementalIndicator,
  MacdValue,
  PriceVolume,
  VwapBandsValue,
} from "./types";
export { Sma, sma } from "./sma";
