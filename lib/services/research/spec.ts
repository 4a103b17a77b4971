import { z } from "zod";
import { isStrategyName, strategyNames, strategyRegistry } from "@/lib/core/strategies/registry";
import {
  MAX_CHUNK_RUNS,
  gridSearch,
  parameterSpaceSchema,
  randomSearch,
  runSettingsSchema,
  validationSchema,
  type ParameterSet,
} from "@/lib/core/research";

export const MAX_PARAMETER_SETS = 100_000;

const parameterValue = z.union([z.number(), z.string(), z.boolean()]);

/** A sweep as the dashboard or a script asks for it. Every message names the field at fault. */
export const sweepRequestSchema = z.object({
  name: z.string().trim().min(1, "name is required").max(100, "name is at most 100 characters"),
  strategy: z.string().refine(isStrategyName, { error: (issue) => `strategy "${String(issue.input)}" is unknown: choose one of ${strategyNames.join(", ")}` }),
  space: parameterSpaceSchema,
  /** Parameters held at one value in every set (e.g. average: "ema"). */
  fixed: z.record(z.string(), parameterValue).default({}),
  search: z
    .discriminatedUnion("kind", [
      z.object({ kind: z.literal("grid") }),
      z.object({
        kind: z.literal("random"),
        count: z.number().int().min(1).max(MAX_PARAMETER_SETS, `count is at most ${MAX_PARAMETER_SETS}`),
        seed: z.number().int().default(1),
      }),
    ])
    .default({ kind: "grid" }),
  seriesIds: z.array(z.number().int().positive()).min(1, "pick at least one bar series"),
  /** Epoch ms span of the stored bars to use: from inclusive, to exclusive. */
  from: z.number().optional(),
  to: z.number().optional(),
  validation: validationSchema.prefault({ mode: "none" }),
  settings: runSettingsSchema.prefault({}),
  /**
   * Parameter sets per job: larger chunks mean fewer queue round trips, smaller ones finer
   * progress. Left out, chunks are sized from the series' length (see planChunks).
   */
  chunkSize: z.number().int().min(1).max(MAX_CHUNK_RUNS).optional(),
});

export type SweepRequest = z.input<typeof sweepRequestSchema>;
export type ParsedSweepRequest = z.output<typeof sweepRequestSchema>;

export class SweepRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SweepRequestError";
  }
}

/** Validates a request, throwing a SweepRequestError that lists each bad field and why. */
export function parseSweepRequest(input: unknown): ParsedSweepRequest {
  const parsed = sweepRequestSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new SweepRequestError(parsed.error.issues.map((issue) => `${issue.path.join(".") || "request"}: ${issue.message}`).join("; "));
}

/** The stored form: the request plus the exact parameter sets, so every worker runs the same ones. */
export interface SweepSpec extends ParsedSweepRequest {
  readonly parameterSets: readonly ParameterSet[];
}

/** The parameter sets a request names, keeping only those the strategy accepts (e.g. fast < slow). */
export function parameterSetsFor(request: ParsedSweepRequest): ParameterSet[] {
  const schema = strategyRegistry[request.strategy as keyof typeof strategyRegistry].parameters;
  const accept = (set: ParameterSet) => schema.safeParse({ ...request.fixed, ...set }).success;
  const sets =
    request.search.kind === "grid"
      ? gridSearch(request.space, accept, MAX_PARAMETER_SETS + 1)
      : randomSearch(request.space, request.search.count, request.search.seed, accept);
  if (sets.length > MAX_PARAMETER_SETS) throw new SweepRequestError(`the grid holds more than ${MAX_PARAMETER_SETS} valid parameter sets: narrow it or use random search`);
  if (sets.length === 0) throw new SweepRequestError("no parameter set in this space is valid for the strategy");
  return sets.map((set) => ({ ...request.fixed, ...set }));
}
