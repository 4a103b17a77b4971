import { describe, expect, it } from "vitest";
import { axisValues, gridPoint, gridSearch, gridSize, parameterKey, parameterSpaceSchema, randomSearch } from "./parameters";
import { checkPlateau } from "./plateau";

describe("parameter generation", () => {
  it("ranges are exact decimals and the grid varies the last parameter fastest", () => {
    expect(axisValues({ from: 0.1, to: 0.5, step: 0.1 })).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    const space = { fast: { from: 5, to: 15, step: 5 }, mode: { values: ["state", "cross"] } };
    expect(gridSize(space)).toBe(6);
    expect(gridSearch(space).map(parameterKey)).toEqual(
      [
        { fast: 5, mode: "state" },
        { fast: 5, mode: "cross" },
        { fast: 10, mode: "state" },
        { fast: 10, mode: "cross" },
        { fast: 15, mode: "state" },
        { fast: 15, mode: "cross" },
      ].map(parameterKey),
    );
    expect(gridPoint(space, 3)).toEqual({ fast: 10, mode: "cross" });
  });

  it("random search: same seed, same sets; distinct sets; the filter applies", () => {
    const space = { fast: { from: 1, to: 50, step: 1 }, slow: { from: 10, to: 200, step: 1 } };
    const accept = (set: Record<string, unknown>) => Number(set.fast) < Number(set.slow);
    const first = randomSearch(space, 500, 42, accept);
    expect(randomSearch(space, 500, 42, accept)).toEqual(first);
    expect(randomSearch(space, 500, 43, accept)).not.toEqual(first);
    expect(new Set(first.map(parameterKey)).size).toBe(500);
    expect(first.every(accept)).toBe(true);
    expect(randomSearch({ a: { values: [1, 2, 3] } }, 10, 1)).toHaveLength(3);
  });

  it("validates the space with messages naming the problem", () => {
    expect(parameterSpaceSchema.safeParse({ fast: { from: 10, to: 5, step: 1 } }).error?.issues[0].message).toMatch(/to must be >= from/);
    expect(parameterSpaceSchema.safeParse({ fast: { from: 1, to: 5, step: 0 } }).error?.issues[0].message).toMatch(/step must be positive/);
    expect(parameterSpaceSchema.safeParse({}).error?.issues[0].message).toMatch(/at least one parameter/);
  });
});

describe("plateau check", () => {
  const space = { a: { from: 1, to: 5, step: 1 }, b: { from: 1, to: 5, step: 1 } };
  const runs = (score: (a: number, b: number) => number) => gridSearch(space).map((parameters) => ({ parameters, score: score(Number(parameters.a), Number(parameters.b)) }));

  it("a smooth hill is a plateau", () => {
    const hill = runs((a, b) => 10 - (a - 3) ** 2 - (b - 3) ** 2);
    expect(checkPlateau(space, hill, { a: 3, b: 3 }).verdict).toBe("plateau");
  });

  it("a lone spike in flat noise is an isolated peak", () => {
    const spike = runs((a, b) => (a === 4 && b === 2 ? 5 : ((a * 7 + b * 3) % 5) / 10));
    const check = checkPlateau(space, spike, { a: 4, b: 2 });
    expect(check.verdict).toBe("isolated-peak");
    expect(check.neighbours).toBe(4);
    expect(check.retained).toBeLessThan(0.5);
  });

  it("no neighbours run: unknown", () => {
    expect(checkPlateau(space, [{ parameters: { a: 1, b: 1 }, score: 1 }], { a: 1, b: 1 }).verdict).toBe("unknown");
  });
});
