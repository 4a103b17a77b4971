/** Names of the checks a bar file can fail; stable, so callers and tests can match on them. */
export type BarDataRule =
  | "empty-file"
  | "missing-column"
  | "duplicate-column"
  | "ambiguous-time-column"
  | "malformed-quote"
  | "blank-row"
  | "column-count"
  | "empty-cell"
  | "not-a-number"
  | "invalid-adjustment"
  | "unparseable-time"
  | "non-increasing-time"
  | "high-below-open-close"
  | "low-above-open-close"
  | "high-below-low"
  | "negative-volume";

export interface BarDataProblem {
  /** 1-based line number in the file where the offending record starts (1 = the header). */
  readonly row: number;
  /** The column as named in the file's header, when the problem belongs to one column. */
  readonly column?: string;
  readonly rule: BarDataRule;
  /** What was wrong, for a person: the offending value and what was expected. */
  readonly detail: string;
}

/** A bar file broke a rule; the message names the file, the row, the column and the rule. */
export class BarDataError extends Error {
  readonly source: string;
  readonly row: number;
  readonly column: string | undefined;
  readonly rule: BarDataRule;

  constructor(source: string, problem: BarDataProblem) {
    super(describeProblem(source, problem));
    this.name = "BarDataError";
    this.source = source;
    this.row = problem.row;
    this.column = problem.column;
    this.rule = problem.rule;
  }
}

export function describeProblem(source: string, problem: BarDataProblem): string {
  const column = problem.column === undefined ? "" : `, column "${problem.column}"`;
  return `${source}: row ${problem.row}${column}: ${problem.detail} [${problem.rule}]`;
}
