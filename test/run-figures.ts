import type { RunEvaluation } from "@/lib/core/research";

/** A run's figures that have columns of their own, as a stored row holds them. */
interface ColumnFigures {
  readonly sharpe: number | null;
  readonly totalReturn: number | null;
  readonly maxDrawdown: number | null;
  readonly tradeCount: number | null;
  readonly oosSharpe: number | null;
}

/** The column figures in one order, so a stored row and an evaluation compare in one assertion. */
export const columnFigures = (run: ColumnFigures) => [run.sharpe, run.totalReturn, run.maxDrawdown, run.tradeCount, run.oosSharpe];

/** The column figures an evaluation should be stored with. */
export const evaluatedColumnFigures = (evaluation: RunEvaluation) => columnFigures({ ...evaluation.metrics, oosSharpe: evaluation.oosSharpe });
