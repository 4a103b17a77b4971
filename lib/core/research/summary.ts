import { deflatedSharpe, probabilityOfOverfitting, type DeflatedSharpe } from "./overfitting";
import type { ParameterSet, ParameterSpace } from "./parameters";
import { checkPlateau, type PlateauCheck } from "./plateau";
import { addSums, EMPTY_SUMS, momentsOf, periodSharpe, type PowerSums } from "./statistics";
import type { WindowResult } from "./evaluation";

export interface RunOutcome {
  readonly paramIndex: number;
  readonly parameters: ParameterSet;
  /** Annualised Sharpe of the search span: the figure the search ranks by. */
  readonly sharpe: number;
  readonly blocks: readonly PowerSums[];
  readonly windows: readonly WindowResult[];
}

export interface WindowSelection {
  readonly index: number;
  readonly paramIndex: number;
  readonly trainSharpe: number;
  readonly testSharpe: number;
  readonly testReturn: number;
}

export interface SweepVerdict {
  readonly chosen: { readonly paramIndex: number; readonly parameters: ParameterSet; readonly sharpe: number } | null;
  readonly trials: number;
  readonly deflatedSharpe: DeflatedSharpe | null;
  readonly pbo: { readonly probability: number; readonly splits: number } | null;
  readonly plateau: PlateauCheck | null;
  /** For each walk-forward window: the set that was best on its training span, and how it did next. */
  readonly walkForward: readonly WindowSelection[];
}

function variance(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
}

/** Picks the best in-sample run and judges it: deflated Sharpe, PBO, plateau check, walk-forward. */
export function judgeSweep(runs: readonly RunOutcome[], space: ParameterSpace | null): SweepVerdict {
  const valid = runs.filter((run) => Number.isFinite(run.sharpe));
  if (valid.length === 0) return { chosen: null, trials: 0, deflatedSharpe: null, pbo: null, plateau: null, walkForward: [] };
  const best = valid.reduce((top, run) => (run.sharpe > top.sharpe || (run.sharpe === top.sharpe && run.paramIndex < top.paramIndex) ? run : top));
  const ordered = [...valid].sort((a, b) => a.paramIndex - b.paramIndex);
  const moments = momentsOf(best.blocks.reduce(addSums, EMPTY_SUMS));
  const dsr =
    valid.length >= 2 && moments.count >= 2
      ? deflatedSharpe({
          sharpe: periodSharpe(best.blocks.reduce(addSums, EMPTY_SUMS)),
          trials: valid.length,
          sharpeVariance: variance(valid.map((run) => periodSharpe(run.blocks.reduce(addSums, EMPTY_SUMS)))),
          observations: moments.count,
          skewness: moments.skewness,
          kurtosis: moments.kurtosis,
        })
      : null;
  const blockCount = best.blocks.length;
  const pbo = valid.length >= 2 && blockCount >= 2 && blockCount % 2 === 0 ? probabilityOfOverfitting(ordered.map((run) => run.blocks)) : null;
  return {
    chosen: { paramIndex: best.paramIndex, parameters: best.parameters, sharpe: best.sharpe },
    trials: valid.length,
    deflatedSharpe: dsr,
    pbo: pbo && { probability: pbo.probability, splits: pbo.splits },
    plateau: space ? checkPlateau(space, valid.map((run) => ({ parameters: run.parameters, score: run.sharpe })), best.parameters) : null,
    walkForward: selectPerWindow(ordered),
  };
}

function selectPerWindow(runs: readonly RunOutcome[]): WindowSelection[] {
  const windowCount = runs[0]?.windows.length ?? 0;
  return Array.from({ length: windowCount }, (_, index) => {
    let pick = runs[0];
    for (const run of runs) if (run.windows[index].trainSharpe > pick.windows[index].trainSharpe) pick = run;
    const window = pick.windows[index];
    return { index, paramIndex: pick.paramIndex, trainSharpe: window.trainSharpe, testSharpe: window.testSharpe, testReturn: window.testReturn };
  });
}
