import type { BarSeries } from "../data/bars";
import type { Instrument } from "../model/instrument";
import { MovingAverageCross, type CrossMode } from "../strategies/moving-average-cross";
import type { FillTiming } from "./fill-model";
import { runBacktest } from "./run";
import type { CommissionModel } from "../model/commission";

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

/** Full golden-cross backtests, one per combination, through the same engine as a single run. */
export function runSweep(bars: BarSeries, combinations: readonly SweepCombination[], settings: SweepSettings): SweepRow[] {
  return combinations.map(({ fast, slow }) => {
    const strategy = new MovingAverageCross("golden-cross", { fast, slow, mode: settings.mode, longOnly: settings.longOnly, average: "sma" });
    const { metrics } = runBacktest({ ...settings, bars, strategy });
    return { fast, slow, finalCapital: metrics.finalCapital, sharpe: metrics.sharpe, maxDrawdown: metrics.maxDrawdown, tradeCount: metrics.tradeCount };
  });
}
