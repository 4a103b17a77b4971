import type { BarSeries } from "../data/bars";
import { AverageCache } from "../indicators";
import { zeroCommission, type CommissionModel } from "../model/commission";
import type { Instrument } from "../model/instrument";
import { MovingAverageCross, type CrossMode } from "../strategies/moving-average-cross";
import { CloseFillAccount, runBuffers, type RunBuffers } from "./close-fill-account";
import type { FillTiming } from "./fill-model";
import { curveStatistics } from "./metrics";
import { runBacktest } from "./run";

export interface SweepCombination {
  readonly fast: number;
  readonly slow: number;
}

export interface SweepSettings {
  readonly instrument: Instrument;
  readonly initialCapital: number;
  readonly fill: FillTiming;
  readonly mode: CrossMode;
  readonly longOnly: boolean;
  readonly fractional: boolean;
  readonly commission?: CommissionModel;
}

export interface SweepRow extends SweepCombination {
  readonly finalCapital: number;
  readonly sharpe: number;
  readonly maxDrawdown: number;
  readonly tradeCount: number;
}

/** Every (fast, slow) pair with fast < slow from the two ranges, in a stable order. */
export function sweepGrid(fastPeriods: readonly number[], slowPeriods: readonly number[]): SweepCombination[] {
  return fastPeriods.flatMap((fast) => slowPeriods.filter((slow) => fast < slow).map((slow) => ({ fast, slow })));
}

/**
 * Golden-cross backtests, one per combination, each decided by the same strategy class the
 * engine runs. Each distinct average is computed once for the whole sweep (`averages`). Fills at
 * the close go through {@link CloseFillAccount} (the engine's arithmetic for that case, equal
 * results, no order book); any other fill timing runs the full engine.
 */
export function runSweep(
  bars: BarSeries,
  combinations: readonly SweepCombination[],
  settings: SweepSettings,
  averages = new AverageCache(bars.close),
): SweepRow[] {
  const buffers = runBuffers(bars.length);
  return combinations.map((combination) => sweepRow(bars, combination, settings, averages, buffers));
}

/** Only the row's metrics, by the same functions a full backtest's metrics use. */
function sweepRow(bars: BarSeries, { fast, slow }: SweepCombination, settings: SweepSettings, averages: AverageCache, buffers: RunBuffers): SweepRow {
  const strategy = new MovingAverageCross("golden-cross", { fast, slow, mode: settings.mode, longOnly: settings.longOnly, average: "sma" });
  if (settings.fill !== "close") {
    const { metrics } = runBacktest({ ...settings, bars, strategy, averages });
    return { fast, slow, finalCapital: metrics.finalCapital, sharpe: metrics.sharpe, maxDrawdown: metrics.maxDrawdown, tradeCount: metrics.tradeCount };
  }
  const commission = settings.commission ?? zeroCommission;
  const { curve, trades } = new CloseFillAccount({ ...settings, commission }).run(strategy, bars, averages, buffers);
  const finalCapital = bars.length > 0 ? curve.equity[bars.length - 1] : settings.initialCapital;
  const statistics = curveStatistics(curve);
  return { fast, slow, finalCapital, sharpe: statistics.sharpe, maxDrawdown: statistics.drawdown.depth, tradeCount: trades.length };
}
