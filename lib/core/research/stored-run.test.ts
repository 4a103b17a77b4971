import { describe, expect, it } from "vitest";
import type { RunEvaluation } from "./evaluation";
import { encodeRunResult, finiteFields } from "./stored-run";

const evaluation = (sharpe: number, profitFactor: number): RunEvaluation =>
  ({
    metrics: { sharpe, totalReturn: 0.12, maxDrawdown: 0.3, tradeCount: 7, profitFactor },
    windows: [{ index: 0, trainSharpe: 1.5, testSharpe: Number.NaN, testReturn: 0.01 }],
    oosSharpe: 0.4,
    blocks: [{ count: 3, sum: 0.1, sumSquares: 0.01, sumCubes: 0.001, sumFourths: 0.0001 }],
    equity: [
      [1, 100],
      [2, 101.5],
    ],
  }) as unknown as RunEvaluation;

describe("encodeRunResult", () => {
  it("writes the sortable figures, then the full figures as the results table stores them", () => {
    const run = evaluation(1.25, Number.POSITIVE_INFINITY);
    expect(JSON.parse(encodeRunResult(run))).toEqual({
      sharpe: 1.25,
      totalReturn: 0.12,
      maxDrawdown: 0.3,
      tradeCount: 7,
      oosSharpe: 0.4,
      metrics: finiteFields(run.metrics),
      walkForward: run.windows.map(finiteFields),
      blocks: run.blocks.map(finiteFields),
      equity: [
        [1, 100],
        [2, 101.5],
      ],
    });
  });

  it("keeps a non-finite sortable figure as the float spelling Postgres reads back, and nulls it inside the objects", () => {
    const decoded = JSON.parse(encodeRunResult(evaluation(Number.NaN, Number.POSITIVE_INFINITY)));
    expect(decoded.sharpe).toBe("NaN");
    expect(decoded.metrics.sharpe).toBeNull();
    expect(decoded.metrics.profitFactor).toBeNull();
    expect(decoded.walkForward[0].testSharpe).toBeNull();
    expect(JSON.parse(encodeRunResult({ ...evaluation(0, 1), oosSharpe: null })).oosSharpe).toBeNull();
    expect(JSON.parse(encodeRunResult({ ...evaluation(0, 1), oosSharpe: Number.NEGATIVE_INFINITY })).oosSharpe).toBe("-Infinity");
  });
});
