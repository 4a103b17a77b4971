import type { RunEvaluation } from "./evaluation";

/**
 * A run's figures as the results table keeps them, in JSON text: the sortable figures
 * (sharpe, totalReturn, maxDrawdown, tradeCount, oosSharpe) on their own, then the full
 * metrics, walk-forward windows, return blocks and sampled equity. JSON has no NaN or
 * Infinity: inside the objects they become null (JSON.stringify's own rule, as every field
 * there is a number); the sortable figures, which are stored as floats, keep them as the
 * strings "NaN", "Infinity" and "-Infinity" that a float column reads back as the same value.
 */
export function encodeRunResult(evaluation: RunEvaluation): string {
  const { metrics } = evaluation;
  return JSON.stringify({
    sharpe: floatValue(metrics.sharpe),
    totalReturn: floatValue(metrics.totalReturn),
    maxDrawdown: floatValue(metrics.maxDrawdown),
    tradeCount: metrics.tradeCount,
    oosSharpe: evaluation.oosSharpe === null ? null : floatValue(evaluation.oosSharpe),
    metrics,
    walkForward: evaluation.windows,
    blocks: evaluation.blocks,
    equity: evaluation.equity,
  });
}

function floatValue(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

/** JSON has no Infinity or NaN: they are stored as null. */
export function finiteFields<T extends object>(value: T): Record<string, number | null> {
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, typeof entry === "number" && Number.isFinite(entry) ? entry : null]));
}
