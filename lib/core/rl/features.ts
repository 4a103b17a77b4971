import { z } from "zod";
import { readBarInto, type Bar, type BarSeries } from "../data/bars";
import { Atr, Bollinger, Macd, RollingHigh, RollingLow, Rsi, Sma, ZScore } from "../indicators";

/** Market features, in this order, then the two agent features. See docs/rl.md. */
export const MARKET_FEATURES = [
  "close_over_sma_fast",
  "close_over_sma_slow",
  "sma_fast_over_sma_slow",
  "rsi",
  "macd_over_close",
  "macd_signal_over_close",
  "macd_hist_over_close",
  "bollinger_percent_b",
  "bollinger_width",
  "atr_percent",
  "return_1",
  "return_5",
  "return_20",
  "volume_z",
  "bar_range_percent",
  "close_in_range",
] as const;

export const AGENT_FEATURES = ["position", "unrealized_pnl"] as const;

export const featurePeriodsSchema = z.object({
  smaFast: z.number().int().min(2).default(10),
  smaSlow: z.number().int().min(3).default(50),
  rsi: z.number().int().min(2).default(14),
  macdFast: z.number().int().min(2).default(12),
  macdSlow: z.number().int().min(3).default(26),
  macdSignal: z.number().int().min(2).default(9),
  bollinger: z.number().int().min(2).default(20),
  bollingerK: z.number().positive().default(2),
  atr: z.number().int().min(2).default(14),
  volume: z.number().int().min(2).default(20),
  range: z.number().int().min(2).default(20),
});

export type FeaturePeriods = z.infer<typeof featurePeriodsSchema>;

/** What a model was trained on: checked against the data before the model may trade it. */
export const featureSpecSchema = z.object({
  names: z.array(z.string()).min(1, "feature spec lists no features"),
  periods: featurePeriodsSchema,
  /** Typical spacing of the training bars in seconds (86400 for daily bars). */
  barSeconds: z.number().positive(),
});

export type FeatureSpec = z.infer<typeof featureSpecSchema>;

export const MARKET_FEATURE_COUNT = MARKET_FEATURES.length;
export const OBSERVATION_SIZE = MARKET_FEATURE_COUNT + AGENT_FEATURES.length;
/** Standardised features are clipped to this many standard deviations. */
export const FEATURE_CLIP = 5;
const RETURN_LAGS = [1, 5, 20] as const;

export function featureSpecFor(bars: BarSeries, periods: Partial<FeaturePeriods> = {}): FeatureSpec {
  return { names: [...MARKET_FEATURES, ...AGENT_FEATURES], periods: featurePeriodsSchema.parse(periods), barSeconds: typicalBarSeconds(bars) };
}

/** Median spacing of consecutive bars in seconds; weekends and holidays do not move it. */
export function typicalBarSeconds(bars: BarSeries): number {
  const gaps: number[] = [];
  for (let i = 1; i < bars.length; i++) gaps.push(bars.time[i] - bars.time[i - 1]);
  if (gaps.length === 0) return NaN;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] / 1000;
}

/**
 * Computes the market features one bar at a time from the core's incremental indicators.
 * The backtest/live strategy and the training environment share it, so a feature can only
 * ever depend on the bars seen so far.
 */
export class FeatureTracker {
  private readonly smaFast: Sma;
  private readonly smaSlow: Sma;
  private readonly rsi: Rsi;
  private readonly macd: Macd;
  private readonly bollinger: Bollinger;
  private readonly atr: Atr;
  private readonly volumeZ: ZScore;
  private readonly high: RollingHigh;
  private readonly low: RollingLow;
  private readonly closes: Float64Array;
  private seen = 0;

  constructor(readonly periods: FeaturePeriods) {
    this.smaFast = new Sma(periods.smaFast);
    this.smaSlow = new Sma(periods.smaSlow);
    this.rsi = new Rsi(periods.rsi);
    this.macd = new Macd(periods.macdFast, periods.macdSlow, periods.macdSignal);
    this.bollinger = new Bollinger(periods.bollinger, periods.bollingerK);
    this.atr = new Atr(periods.atr);
    this.volumeZ = new ZScore(periods.volume);
    this.high = new RollingHigh(periods.range);
    this.low = new RollingLow(periods.range);
    this.closes = new Float64Array(RETURN_LAGS[RETURN_LAGS.length - 1] + 1);
  }

  /** Feeds one bar and writes the raw market features to `out` at `offset`; false while warming up. */
  update(bar: Readonly<Bar>, out: Float32Array | Float64Array, offset = 0): boolean {
    const close = bar.close;
    const fast = this.smaFast.update(close);
    const slow = this.smaSlow.update(close);
    const rsi = this.rsi.update(close);
    const macd = this.macd.update(close);
    const bands = this.bollinger.update(close);
    const atr = this.atr.update(bar);
    const volumeZ = this.volumeZ.update(bar.volume);
    const high = this.high.update(bar.high);
    const low = this.low.update(bar.low);
    this.closes[this.seen % this.closes.length] = close;
    this.seen++;
    out[offset] = close / fast - 1;
    out[offset + 1] = close / slow - 1;
    out[offset + 2] = fast / slow - 1;
    out[offset + 3] = rsi / 100 - 0.5;
    out[offset + 4] = macd.macd / close;
    out[offset + 5] = macd.signal / close;
    out[offset + 6] = macd.histogram / close;
    const width = bands.upper - bands.lower;
    out[offset + 7] = width > 0 ? (close - bands.lower) / width - 0.5 : 0;
    out[offset + 8] = width / bands.middle;
    out[offset + 9] = atr / close;
    for (let k = 0; k < RETURN_LAGS.length; k++) out[offset + 10 + k] = Math.log(close / this.closeAgo(RETURN_LAGS[k]));
    out[offset + 13] = Number.isFinite(volumeZ) ? volumeZ : 0;
    out[offset + 14] = (bar.high - bar.low) / close;
    out[offset + 15] = high > low ? (close - low) / (high - low) - 0.5 : 0;
    for (let k = 0; k < MARKET_FEATURE_COUNT; k++) if (!Number.isFinite(out[offset + k])) return false;
    return true;
  }

  private closeAgo(lag: number): number {
    if (this.seen <= lag) return NaN;
    return this.closes[(this.seen - 1 - lag) % this.closes.length];
  }
}

/** Raw market features of every bar (row-major, NaN rows while warming up) and the first ready row. */
export interface MarketFeatures {
  readonly values: Float32Array;
  readonly firstReady: number;
  readonly length: number;
}

export function computeMarketFeatures(bars: BarSeries, periods: FeaturePeriods): MarketFeatures {
  const tracker = new FeatureTracker(periods);
  const values = new Float32Array(bars.length * MARKET_FEATURE_COUNT);
  const bar: Bar = { time: NaN, open: NaN, high: NaN, low: NaN, close: NaN, volume: NaN };
  let firstReady = -1;
  for (let i = 0; i < bars.length; i++) {
    const ready = tracker.update(readBarInto(bars, i, bar), values, i * MARKET_FEATURE_COUNT);
    if (ready && firstReady < 0) firstReady = i;
    if (!ready) values.fill(NaN, i * MARKET_FEATURE_COUNT, (i + 1) * MARKET_FEATURE_COUNT);
  }
  return { values, firstReady: firstReady < 0 ? bars.length : firstReady, length: bars.length };
}

export const normalisationSchema = z.object({
  mean: z.array(z.number()).length(MARKET_FEATURE_COUNT, `normalisation needs ${MARKET_FEATURE_COUNT} means`),
  std: z.array(z.number().positive("a feature's std must be positive")).length(MARKET_FEATURE_COUNT, `normalisation needs ${MARKET_FEATURE_COUNT} stds`),
});

export type Normalisation = z.infer<typeof normalisationSchema>;

/** Mean and standard deviation of each market feature over the ready rows (the training span only). */
export function fitNormalisation(features: MarketFeatures): Normalisation {
  const mean = new Array<number>(MARKET_FEATURE_COUNT).fill(0);
  const square = new Array<number>(MARKET_FEATURE_COUNT).fill(0);
  let rows = 0;
  for (let i = features.firstReady; i < features.length; i++) {
    const offset = i * MARKET_FEATURE_COUNT;
    if (Number.isNaN(features.values[offset])) continue;
    rows++;
    for (let k = 0; k < MARKET_FEATURE_COUNT; k++) {
      const x = features.values[offset + k];
      mean[k] += x;
      square[k] += x * x;
    }
  }
  if (rows < 2) throw new Error(`cannot fit feature normalisation: only ${rows} bar(s) past the indicators' warm-up`);
  const std = mean.map((sum, k) => Math.sqrt(Math.max(square[k] / rows - (sum / rows) ** 2, 0)) || 1);
  return { mean: mean.map((sum) => sum / rows), std: std.map((s) => Math.max(s, 1e-8)) };
}

/** Standardises `count` market features in place and clips them to +-FEATURE_CLIP. */
export function normaliseInPlace(values: Float32Array | Float64Array, offset: number, stats: Normalisation): void {
  for (let k = 0; k < MARKET_FEATURE_COUNT; k++) {
    const z = (values[offset + k] - stats.mean[k]) / stats.std[k];
    values[offset + k] = z > FEATURE_CLIP ? FEATURE_CLIP : z < -FEATURE_CLIP ? -FEATURE_CLIP : z;
  }
}

/** The agent's own state: long flag and unrealised return of the open position (clipped to +-50%). */
export function writeAgentFeatures(out: Float32Array | Float64Array, offset: number, long: boolean, close: number, entryPrice: number): void {
  out[offset] = long ? 1 : 0;
  const pnl = long && entryPrice > 0 ? close / entryPrice - 1 : 0;
  out[offset + 1] = Math.max(-0.5, Math.min(0.5, pnl)) * 10;
}

/** Throws a clear error when a model lists other features than this build computes. */
export function assertFeatureNames(names: readonly string[]): void {
  const expected = [...MARKET_FEATURES, ...AGENT_FEATURES];
  if (names.length !== expected.length || names.some((name, i) => name !== expected[i])) {
    throw new Error(`model feature spec does not match: the model expects [${names.join(", ")}] but this build computes [${expected.join(", ")}]`);
  }
}

/** Throws a clear error when a model's features were not built the way these bars will be. */
export function assertSpecMatches(spec: FeatureSpec, bars: BarSeries): void {
  assertFeatureNames(spec.names);
  const dataSeconds = typicalBarSeconds(bars);
  if (Number.isFinite(dataSeconds) && !sameBarSize(dataSeconds, spec.barSeconds)) {
    throw new Error(`model feature spec does not match the data: the model was trained on ${describeSeconds(spec.barSeconds)} bars but the data has ${describeSeconds(dataSeconds)} bars`);
  }
}

export function sameBarSize(a: number, b: number): boolean {
  return Math.abs(a - b) <= 0.05 * Math.max(a, b);
}

export function describeSeconds(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}-day`;
  if (seconds % 3600 === 0) return `${seconds / 3600}-hour`;
  if (seconds % 60 === 0) return `${seconds / 60}-minute`;
  return `${seconds}-second`;
}
