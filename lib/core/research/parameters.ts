import { z } from "zod";

/**
 * A strategy's search space: each parameter is a numeric range (inclusive, by step) or an
 * explicit list of values. Grid search takes every combination; random search draws a seeded
 * sample of them, so the same seed always gives the same parameter sets.
 */
export const parameterAxisSchema = z.union([
  z
    .object({ from: z.number(), to: z.number(), step: z.number().positive("step must be positive") })
    .refine((axis) => axis.to >= axis.from, { message: "to must be >= from" })
    .refine((axis) => (axis.to - axis.from) / axis.step <= 100_000, { message: "a range may hold at most 100,000 values" }),
  z.object({ values: z.array(z.union([z.number(), z.string(), z.boolean()])).min(1, "values must list at least one value") }),
]);

export const parameterSpaceSchema = z
  .record(z.string().min(1), parameterAxisSchema)
  .refine((space) => Object.keys(space).length > 0, { message: "the parameter space needs at least one parameter" });

export type ParameterAxis = z.infer<typeof parameterAxisSchema>;
export type ParameterSpace = z.infer<typeof parameterSpaceSchema>;
export type ParameterValue = number | string | boolean;
export type ParameterSet = Readonly<Record<string, ParameterValue>>;

/** The values of one axis in order. Range values are rounded to the step's decimals, free of float drift. */
export function axisValues(axis: ParameterAxis): readonly ParameterValue[] {
  if ("values" in axis) return axis.values;
  const decimals = decimalPlaces(axis.step);
  const count = Math.floor((axis.to - axis.from) / axis.step + 1e-9) + 1;
  return Array.from({ length: count }, (_, index) => Number((axis.from + index * axis.step).toFixed(decimals)));
}

function decimalPlaces(value: number): number {
  const text = String(value);
  const exponent = text.match(/e-(\d+)$/);
  if (exponent) return Number(exponent[1]);
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** How many combinations the full grid holds. */
export function gridSize(space: ParameterSpace): number {
  return Object.values(space).reduce((size, axis) => size * axisValues(axis).length, 1);
}

/** The combination at a position of the grid (last parameter varies fastest), without building the grid. */
export function gridPoint(space: ParameterSpace, position: number): ParameterSet {
  const names = Object.keys(space);
  const point: Record<string, ParameterValue> = {};
  let rest = position;
  for (let i = names.length - 1; i >= 0; i--) {
    const values = axisValues(space[names[i]]);
    point[names[i]] = values[rest % values.length];
    rest = Math.floor(rest / values.length);
  }
  return Object.fromEntries(names.map((name) => [name, point[name]]));
}

/** Every combination that `accept` allows, in a stable order. */
export function gridSearch(space: ParameterSpace, accept: (set: ParameterSet) => boolean = () => true, limit = Infinity): ParameterSet[] {
  const sets: ParameterSet[] = [];
  const size = gridSize(space);
  for (let position = 0; position < size && sets.length < limit; position++) {
    const set = gridPoint(space, position);
    if (accept(set)) sets.push(set);
  }
  return sets;
}

/**
 * Up to `count` distinct accepted combinations drawn with a seeded generator. When the grid
 * is small enough, draws without replacement from it, so every draw is new.
 */
export function randomSearch(space: ParameterSpace, count: number, seed: number, accept: (set: ParameterSet) => boolean = () => true): ParameterSet[] {
  const random = seededUniform(seed);
  const size = gridSize(space);
  const chosen = new Set<number>();
  const sets: ParameterSet[] = [];
  const maxDraws = Math.max(count * 50, 1_000);
  for (let draw = 0; draw < maxDraws && sets.length < count && chosen.size < size; draw++) {
    const position = Math.floor(random() * size);
    if (chosen.has(position)) continue;
    chosen.add(position);
    const set = gridPoint(space, position);
    if (accept(set)) sets.push(set);
  }
  return sets;
}

/** A small counter-based generator (SplitMix32 style): uniform in [0, 1), reproducible everywhere. */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

/** A canonical text of a parameter set (keys sorted), for run keys and equality. */
export function parameterKey(set: ParameterSet): string {
  return JSON.stringify(Object.keys(set).sort().map((name) => [name, set[name]]));
}
