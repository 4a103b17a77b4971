import { computeMetrics, equityAt, sharpe, type EquityCurve, type Metrics } from "../backtest/metrics";
import { instrumentDayEnds, runBacktest, type BacktestConfig } from "../backtest/run";
import { sliceSeries, type BarSeries } from "../data/bars";
import { createStrategy } from "../strategies/registry";
import { DayIndex } from "./day-index";
import type { ParameterSet } from "./parameters";
import { powerSums, type PowerSums } from "./statistics";
import type { IndexSpan, ValidationPlan } from "./walk-forward";

export type RunSettings = Omit<BacktestConfig, "bars" | "strategy" | "events" | "onProgress" | "risk" | "dayEnds" | "dailyReturnsInto">;

export interface WindowResult {
  readonly index: number;
  readonly trainSharpe: number;
  readonly testSharpe: number;
  readonly testReturn: number;
}

export interface RunEvaluation {
  /** Figures of the whole search span. */
  readonly metrics: Metrics;
  readonly windows: readonly WindowResult[];
  /** Sharpe of the walk-forward test windows' daily returns taken together; null without windows. */
  readonly oosSharpe: number | null;
  /** Daily-return power sums of the search span cut into equal blocks, for the overfitting statistics. */
  readonly blocks: readonly PowerSums[];
}

/** Equity at evenly spaced bars of a run's search span, for charts. */
export type EquitySample = [time: number, equity: number][];

export const DEFAULT_BLOCKS = 12;
export const EQUITY_POINTS = 120;

/** The part of an equity curve within a span, starting from the equity the span opened with. */
export function sliceCurve(curve: EquityCurve, span: IndexSpan): EquityCurve {
  return {
    time: curve.time.subarray(span.start, span.end),
    equity: curve.equity.subarray(span.start, span.end),
    inPosition: curve.inPosition.subarray(span.start, span.end),
    initialCapital: span.start > 0 ? curve.equity[span.start - 1] : curve.initialCapital,
    dayOf: curve.dayOf,
  };
}

/**
 * Backtests one parameter set over the plan's search span only, then reads every window's
 * figures from that single, causal run: the figures of a span depend only on bars up to its
 * end, so a training window never sees its test window.
 */
export function evaluateParameterSet(bars: BarSeries, strategyName: string, parameters: ParameterSet, settings: RunSettings, plan: ValidationPlan, blockCount = DEFAULT_BLOCKS): RunEvaluation {
  const span = searchSpanOf(bars, settings, plan);
  const result = backtestSpan(span, strategyName, parameters, settings, span.dailyReturns);
  const curve = result.curve;
  const returns = span.dailyReturns.subarray(0, result.metrics.dailyReturns);
  const windowReturns = (window: IndexSpan) => span.days.windowReturns(curve, returns, window);
  const testReturns = plan.windows.map((window) => windowReturns(window.test));
  const windows = plan.windows.map((window, at) => ({
    index: window.index,
    trainSharpe: sharpe(windowReturns(window.train)),
    testSharpe: sharpe(testReturns[at]),
    testReturn: spanReturn(curve, window.test),
  }));
  return {
    metrics: result.metrics,
    windows,
    oosSharpe: windows.length > 0 ? sharpe(concatenate(testReturns)) : null,
    blocks: returnBlocks(returns, blockCount),
  };
}

/** Equity at the span's last bar over the equity it opened with, less 1; 0 for an empty span. */
function spanReturn(curve: EquityCurve, span: IndexSpan): number {
  if (span.end <= span.start) return 0;
  const opening = span.start > 0 ? equityAt(curve, span.start - 1) : curve.initialCapital;
  return equityAt(curve, span.end - 1) / opening - 1;
}

function concatenate(parts: readonly Float64Array[]): Float64Array {
  const whole = new Float64Array(parts.reduce((length, part) => length + part.length, 0));
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}

/**
 * The equity of a parameter set's search-span run at `points` evenly spaced bars: the same
 * backtest {@link evaluateParameterSet} runs, so a sweep can chart a few chosen runs afterwards
 * without keeping a sample of every run.
 */
export function searchSpanEquity(bars: BarSeries, strategyName: string, parameters: ParameterSet, settings: RunSettings, plan: ValidationPlan, points = EQUITY_POINTS): EquitySample {
  return sampleEquity(backtestSpan(searchSpanOf(bars, settings, plan), strategyName, parameters, settings).curve, points);
}

function backtestSpan(span: SearchSpan, strategyName: string, parameters: ParameterSet, settings: RunSettings, dailyReturnsInto?: Float64Array) {
  return runBacktest({ ...settings, bars: span.bars, dayEnds: span.dayEnds, dailyReturnsInto, strategy: createStrategy(strategyName, parameters) });
}

/** A plan's search span of one series, as every run over it reads it. */
interface SearchSpan {
  readonly series: BarSeries;
  readonly timeZone: string;
  readonly bars: BarSeries;
  readonly dayEnds: Uint8Array;
  readonly days: DayIndex;
  /** Room for a run's daily returns, reused by each run: read before the next run. */
  readonly dailyReturns: Float64Array;
}

/**
 * The last search span made for each plan. The runs of a sweep's chunk share one plan and one
 * series, so they slice the series, index its days and allocate room for their daily returns
 * once, not once per run.
 */
const searchSpans = new WeakMap<ValidationPlan, SearchSpan>();

function searchSpanOf(series: BarSeries, settings: RunSettings, plan: ValidationPlan): SearchSpan {
  const { timeZone } = settings.instrument;
  const known = searchSpans.get(plan);
  if (known?.series === series && known.timeZone === timeZone) return known;
  const bars = sliceSeries(series, plan.search.start, plan.search.end);
  const dayEnds = instrumentDayEnds(bars.time, settings.instrument);
  const span = { series, timeZone, bars, dayEnds, days: DayIndex.of(dayEnds), dailyReturns: new Float64Array(Math.max(0, bars.length - 1)) };
  searchSpans.set(plan, span);
  return span;
}

/** Figures of a parameter set on the holdout span, run from the search span's start so indicators are warm. */
export function evaluateHoldout(bars: BarSeries, strategyName: string, parameters: ParameterSet, settings: RunSettings, plan: ValidationPlan): Metrics | null {
  if (!plan.holdout) return null;
  const span = sliceSeries(bars, plan.search.start, plan.holdout.end);
  const result = runBacktest({ ...settings, bars: span, strategy: createStrategy(strategyName, parameters) });
  const offset = plan.holdout.start - plan.search.start;
  const holdout = sliceCurve(result.curve, { start: offset, end: span.length });
  const from = holdout.time[0];
  return computeMetrics(holdout, result.trades.filter((trade) => trade.exitTime >= from));
}

/** Power sums of `count` contiguous, near-equal blocks of the returns. */
export function returnBlocks(returns: Float64Array, count: number): PowerSums[] {
  return Array.from({ length: count }, (_, block) => powerSums(returns, Math.floor((block * returns.length) / count), Math.floor(((block + 1) * returns.length) / count)));
}

function sampleEquity(curve: EquityCurve, points: number): EquitySample {
  const length = curve.equity.length;
  if (length === 0) return [];
  const count = Math.min(points, length);
  return Array.from({ length: count }, (_, index) => {
    const at = count === 1 ? length - 1 : Math.round((index * (length - 1)) / (count - 1));
    return [curve.time[at], Math.round(curve.equity[at] * 100) / 100];
  });
}
