import { inverseNormalCdf, normalCdf, periodSharpe, sharpeOfSums, addSums, EMPTY_SUMS, type PowerSums } from "./statistics";

const EULER_MASCHERONI = 0.5772156649015329;

/**
 * Probabilistic Sharpe ratio: the probability that the true Sharpe exceeds `benchmark`, given
 * an observed per-period Sharpe over `observations` returns with the given skewness and
 * (non-excess) kurtosis.
 */
export function probabilisticSharpe(observed: number, benchmark: number, observations: number, skewness: number, kurtosis: number): number {
  const spread = 1 - skewness * observed + ((kurtosis - 1) / 4) * observed * observed;
  if (observations < 2 || !(spread > 0)) return Number.NaN;
  return normalCdf(((observed - benchmark) * Math.sqrt(observations - 1)) / Math.sqrt(spread));
}

/** E[max of N Sharpe estimates] when every true Sharpe is zero and the estimates have variance V. */
export function expectedMaxSharpe(trials: number, variance: number): number {
  if (trials < 2) return 0;
  const quantile = (1 - EULER_MASCHERONI) * inverseNormalCdf(1 - 1 / trials) + EULER_MASCHERONI * inverseNormalCdf(1 - 1 / (trials * Math.E));
  return Math.sqrt(variance) * quantile;
}

export interface DeflatedSharpeInput {
  /** The selected run's Sharpe, per period (not annualised). */
  readonly sharpe: number;
  /** Independent trials behind the selection. */
  readonly trials: number;
  /** Variance of the per-period Sharpe estimates across the trials. */
  readonly sharpeVariance: number;
  /** Return observations of the selected run. */
  readonly observations: number;
  readonly skewness: number;
  readonly kurtosis: number;
}

export interface DeflatedSharpe {
  /** The Sharpe that luck alone would be expected to reach after this many trials, per period. */
  readonly benchmark: number;
  /** Probability that the selected run's true Sharpe is above that benchmark. */
  readonly probability: number;
}

/** Bailey & López de Prado (2014): the PSR against the expected maximum Sharpe of N null trials. */
export function deflatedSharpe(input: DeflatedSharpeInput): DeflatedSharpe {
  const benchmark = expectedMaxSharpe(input.trials, input.sharpeVariance);
  return { benchmark, probability: probabilisticSharpe(input.sharpe, benchmark, input.observations, input.skewness, input.kurtosis) };
}

export interface OverfittingProbability {
  /** Share of the in-sample/out-of-sample splits where the in-sample best ranked in the bottom half out of sample. */
  readonly probability: number;
  /** logit of the in-sample best's relative out-of-sample rank, one per split. */
  readonly logits: readonly number[];
  readonly splits: number;
}

/** Ranks 1..n (ascending, ties share their average rank) of `target` within `values`. */
function rankOf(values: ArrayLike<number>, target: number): number {
  let below = 0;
  let equal = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < target) below++;
    else if (values[i] === target) equal++;
  }
  return below + (equal + 1) / 2;
}

/** Every way to choose `size` of the indices 0..count-1, in lexicographic order. */
export function combinations(count: number, size: number): number[][] {
  const result: number[][] = [];
  const current: number[] = [];
  const extend = (from: number) => {
    if (current.length === size) {
      result.push([...current]);
      return;
    }
    for (let index = from; index <= count - (size - current.length); index++) {
      current.push(index);
      extend(index + 1);
      current.pop();
    }
  };
  extend(0);
  return result;
}

export type BlockPerformance = (blocks: readonly PowerSums[]) => number;

/** The default performance of a set of blocks: the Sharpe of their returns taken together. */
export const blockSharpe: BlockPerformance = (blocks) => periodSharpe(blocks.reduce(addSums, EMPTY_SUMS));

/**
 * Probability of backtest overfitting by combinatorially symmetric cross-validation (Bailey,
 * Borwein, López de Prado & Zhu 2015). `blocks[trial][block]` holds each trial's returns cut
 * into the same S contiguous blocks (S even). For every choice of S/2 blocks as in-sample,
 * the rest out-of-sample, the in-sample best trial's out-of-sample relative rank ω = rank/(N+1)
 * gives λ = ln(ω / (1 − ω)); PBO is the share of splits with λ ≤ 0. Performance defaults to
 * the Sharpe of the chosen blocks' returns taken together.
 */
export function probabilityOfOverfitting(blocks: readonly (readonly PowerSums[])[], performance?: BlockPerformance): OverfittingProbability {
  const trials = blocks.length;
  const blockCount = blocks[0]?.length ?? 0;
  if (trials < 2 || blockCount < 2 || blockCount % 2 !== 0) throw new RangeError(`PBO needs at least 2 trials and an even number of blocks, got ${trials} trials and ${blockCount} blocks`);
  if (blocks.some((row) => row.length !== blockCount)) throw new RangeError("every trial must have the same number of blocks");
  const score = performance ? customScorer(blocks, performance) : sharpeScorer(blocks);
  const splits = combinations(blockCount, blockCount / 2);
  const splitOf = new Map(splits.map((inSample, index) => [inSample.join(), index]));
  const logits = new Array<number>(splits.length);
  const scores = new Float64Array(trials);
  const restScores = new Float64Array(trials);
  // A split's out-of-sample half is another split's in-sample half: each pair is scored once.
  splits.forEach((inSample, index) => {
    const chosen = new Set(inSample);
    const rest = Array.from({ length: blockCount }, (_, block) => block).filter((block) => !chosen.has(block));
    const restIndex = splitOf.get(rest.join())!;
    if (restIndex < index) return;
    score(inSample, scores);
    score(rest, restScores);
    logits[index] = bestTrialLogit(scores, restScores);
    logits[restIndex] = bestTrialLogit(restScores, scores);
  });
  return { probability: logits.filter((logit) => logit <= 0).length / logits.length, logits, splits: logits.length };
}

/** λ of one split: the logit of the in-sample best trial's relative rank out of sample. */
function bestTrialLogit(inSample: Float64Array, outOfSample: Float64Array): number {
  const trials = inSample.length;
  let best = 0;
  for (let trial = 1; trial < trials; trial++) if (inSample[trial] > inSample[best]) best = trial;
  const omega = rankOf(outOfSample, outOfSample[best]) / (trials + 1);
  return Math.log(omega / (1 - omega));
}

/** Fills `into[trial]` with each trial's performance on the given blocks. */
type Scorer = (blockIndexes: readonly number[], into: Float64Array) => void;

function customScorer(blocks: readonly (readonly PowerSums[])[], performance: BlockPerformance): Scorer {
  return (indexes, into) => {
    blocks.forEach((row, trial) => (into[trial] = performance(indexes.map((index) => row[index]))));
  };
}

/**
 * The Sharpe scorer over flat arrays, one column of trials per block, so that thousands of trials
 * times hundreds of splits stay fast: the chosen blocks' columns are added to the trials' running
 * sums one after another, each trial's sums taking the blocks in the order the indexes give.
 */
function sharpeScorer(blocks: readonly (readonly PowerSums[])[]): Scorer {
  const trials = blocks.length;
  const column = (field: keyof PowerSums) => Array.from({ length: blocks[0].length }, (_, index) => Float64Array.from(blocks, (row) => row[index][field]));
  const counts = column("count");
  const sums = column("sum");
  const squares = column("sumSquares");
  const n = new Float64Array(trials);
  const s = new Float64Array(trials);
  const q = new Float64Array(trials);
  return (indexes, into) => {
    n.fill(0);
    s.fill(0);
    q.fill(0);
    for (const index of indexes) addColumn(n, s, q, counts[index], sums[index], squares[index]);
    for (let trial = 0; trial < trials; trial++) into[trial] = sharpeOfSums(n[trial], s[trial], q[trial]);
  };
}

function addColumn(n: Float64Array, s: Float64Array, q: Float64Array, count: Float64Array, sum: Float64Array, squares: Float64Array): void {
  for (let trial = 0; trial < n.length; trial++) {
    n[trial] += count[trial];
    s[trial] += sum[trial];
    q[trial] += squares[trial];
  }
}
