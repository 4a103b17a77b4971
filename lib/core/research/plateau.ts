import { axisValues, parameterKey, type ParameterSet, type ParameterSpace } from "./parameters";

export interface ScoredSet {
  readonly parameters: ParameterSet;
  readonly score: number;
}

export interface PlateauCheck {
  /** "plateau": neighbours keep most of the peak's edge; "isolated-peak": they do not; "unknown": no neighbour was run. */
  readonly verdict: "plateau" | "isolated-peak" | "unknown";
  readonly neighbours: number;
  readonly neighbourMedian: number | null;
  /** Share of the peak's lead over the median run that its neighbours keep (1 = flat top). */
  readonly retained: number | null;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** The sets one step away from `center` along one axis of the space. */
export function neighboursOf(space: ParameterSpace, center: ParameterSet): ParameterSet[] {
  return Object.entries(space).flatMap(([name, axis]) => {
    const values = axisValues(axis);
    const at = values.indexOf(center[name]);
    if (at < 0) return [];
    return [values[at - 1], values[at + 1]].filter((value) => value !== undefined).map((value) => ({ ...center, [name]: value }));
  });
}

/**
 * Whether the chosen set sits on a plateau or an isolated peak: a robust choice keeps most of
 * its lead over the typical run when one parameter moves one step. `retained` is
 * (neighbour median − all-run median) / (chosen − all-run median); below `minRetained` the
 * peak is called isolated.
 */
export function checkPlateau(space: ParameterSpace, runs: readonly ScoredSet[], chosen: ParameterSet, minRetained = 0.5): PlateauCheck {
  const scores = new Map(runs.map((run) => [parameterKey(run.parameters), run.score]));
  const peak = scores.get(parameterKey(chosen));
  const around = neighboursOf(space, chosen)
    .map((set) => scores.get(parameterKey(set)))
    .filter((score): score is number => score !== undefined && Number.isFinite(score));
  if (peak === undefined || around.length === 0) return { verdict: "unknown", neighbours: around.length, neighbourMedian: null, retained: null };
  const typical = median(runs.map((run) => run.score).filter(Number.isFinite));
  const neighbourMedian = median(around);
  const lead = peak - typical;
  const retained = lead > 0 ? (neighbourMedian - typical) / lead : 1;
  return { verdict: retained >= minRetained ? "plateau" : "isolated-peak", neighbours: around.length, neighbourMedian, retained };
}
