import { z } from "zod";

/** A half-open span of bar indices: start inclusive, end exclusive. */
export interface IndexSpan {
  readonly start: number;
  readonly end: number;
}

export interface WalkForwardWindow {
  readonly index: number;
  readonly train: IndexSpan;
  readonly test: IndexSpan;
}

export interface ValidationPlan {
  /** The bars the search may look at; walk-forward windows lie inside it. */
  readonly search: IndexSpan;
  /** The final out-of-sample span, after the search span, that no run of the search sees. */
  readonly holdout: IndexSpan | null;
  readonly windows: readonly WalkForwardWindow[];
}

export const validationSchema = z
  .object({
    mode: z.enum(["none", "rolling", "anchored"]).default("rolling"),
    /** Bars in each training window (the first window's, when anchored). */
    trainBars: z.number().int().positive().optional(),
    testBars: z.number().int().positive().optional(),
    /** Bars the windows advance by; defaults to testBars, so test windows tile without overlap. */
    stepBars: z.number().int().positive().optional(),
    /** Fraction of the bars, at the end, kept back as the final out-of-sample span. */
    holdoutFraction: z.number().min(0).max(0.5, "holdoutFraction is at most 0.5").default(0.2),
  })
  .refine((spec) => spec.mode === "none" || (spec.trainBars !== undefined && spec.testBars !== undefined), {
    message: "walk-forward needs trainBars and testBars",
    path: ["trainBars"],
  });

export type ValidationSpec = z.input<typeof validationSchema>;

/**
 * Splits `length` bars into a search span and a final holdout, and lays walk-forward windows
 * over the search span. Every test window starts where its training window ends and lies
 * wholly after it; rolling windows keep a fixed training length, anchored ones grow from bar 0.
 */
export function validationPlan(length: number, spec: ValidationSpec): ValidationPlan {
  const settings = validationSchema.parse(spec);
  const holdoutBars = Math.floor(length * settings.holdoutFraction);
  const search = { start: 0, end: length - holdoutBars };
  const holdout = holdoutBars > 0 ? { start: search.end, end: length } : null;
  if (settings.mode === "none") return { search, holdout, windows: [] };
  const trainBars = settings.trainBars!;
  const testBars = settings.testBars!;
  const step = settings.stepBars ?? testBars;
  const windows: WalkForwardWindow[] = [];
  for (let offset = 0; offset + trainBars + testBars <= search.end; offset += step) {
    const trainStart = settings.mode === "rolling" ? offset : 0;
    const trainEnd = offset + trainBars;
    windows.push({ index: windows.length, train: { start: trainStart, end: trainEnd }, test: { start: trainEnd, end: trainEnd + testBars } });
  }
  return { search, holdout, windows };
}
