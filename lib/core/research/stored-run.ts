import type { RunEvaluation, WindowResult } from "./evaluation";
import type { PowerSums } from "./statistics";

/** A walk-forward window as stored: its index is its place in the list. */
export type StoredWindow = [trainSharpe: number | null, testSharpe: number | null, testReturn: number | null];
/** A block's power sums as stored. */
export type StoredSums = [count: number, sum: number | null, sumSquares: number | null, sumCubes: number | null, sumFourths: number | null];

/** The sortable figures, stored in columns of their own and so left out of the stored metrics. */
export interface RunColumns {
  readonly sharpe: number;
  readonly totalReturn: number;
  readonly maxDrawdown: number;
  readonly tradeCount: number;
}

/**
 * A run's figures as the results table keeps them, in JSON text: the sortable figures
 * (sharpe, totalReturn, maxDrawdown, tradeCount, oosSharpe) on their own, then the other
 * metrics, the walk-forward windows and the return blocks, the last two as arrays of numbers
 * (every run repeats the same keys; see {@link decodeWindows}, {@link decodeBlocks}). JSON has
 * no NaN or Infinity: inside the objects and arrays they become null (JSON.stringify's own
 * rule); the sortable figures, which are stored as floats, keep them as the strings "NaN",
 * "Infinity" and "-Infinity" that a float column reads back as the same value.
 */
export function encodeRunResult(evaluation: RunEvaluation): string {
  const { sharpe, totalReturn, maxDrawdown, tradeCount, ...otherMetrics } = evaluation.metrics;
  return JSON.stringify({
    sharpe: floatValue(sharpe),
    totalReturn: floatValue(totalReturn),
    maxDrawdown: floatValue(maxDrawdown),
    tradeCount,
    oosSharpe: evaluation.oosSharpe === null ? null : floatValue(evaluation.oosSharpe),
    metrics: otherMetrics,
    walkForward: evaluation.windows.map((window): StoredWindow => [window.trainSharpe, window.testSharpe, window.testReturn]),
    blocks: evaluation.blocks.map((block): StoredSums => [block.count, block.sum, block.sumSquares, block.sumCubes, block.sumFourths]),
  });
}

function floatValue(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

/** JSON has no Infinity or NaN: they are stored as null. */
export function finiteFields<T extends object>(value: T): Record<string, number | null> {
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, typeof entry === "number" && Number.isFinite(entry) ? entry : null]));
}

const finiteOrNull = (value: number) => (Number.isFinite(value) ? value : null);

/** The full metrics of a stored run: the stored ones with the column figures put back (non-finite ones as null, like the rest). */
export function decodeMetrics(stored: unknown, columns: RunColumns): Record<string, number | null> {
  return {
    ...(stored as Record<string, number | null>),
    sharpe: finiteOrNull(columns.sharpe),
    totalReturn: finiteOrNull(columns.totalReturn),
    maxDrawdown: finiteOrNull(columns.maxDrawdown),
    tradeCount: columns.tradeCount,
  };
}

/** Stored walk-forward windows as objects; a non-finite figure reads back as null. */
export function decodeWindows(stored: unknown): WindowResult[] {
  return (stored as StoredWindow[]).map(([trainSharpe, testSharpe, testReturn], index) => ({ index, trainSharpe, testSharpe, testReturn }) as WindowResult);
}

/** Stored return blocks as power sums; a non-finite sum reads back as null. */
export function decodeBlocks(stored: unknown): PowerSums[] {
  return (stored as StoredSums[]).map(([count, sum, sumSquares, sumCubes, sumFourths]) => ({ count, sum, sumSquares, sumCubes, sumFourths }) as PowerSums);
}
