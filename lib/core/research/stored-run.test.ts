import { describe, expect, it } from "vitest";
import type { RunEvaluation } from "./evaluation";
import { decodeBlocks, decodeMetrics, decodeWindows, encodeRunResult, finiteFields } from "./stored-run";

const evaluation = (sharpe: number, profitFactor: number): RunEvaluation =>
  ({
    metrics: { sharpe, totalReturn: 0.12, maxDrawdown: 0.3, tradeCount: 7, profitFactor },
    windows: [
      { index: 0, trainSharpe: 1.5, testSharpe: Number.NaN, testReturn: 0.01 },
      { index: 1, trainSharpe: 0.5, testSharpe: -0.25, testReturn: -0.02 },
    ],
    oosSharpe: 0.4,
    blocks: [
      { count: 3, sum: 0.1, sumSquares: 0.01, sumCubes: 0.001, sumFourths: 0.0001 },
      { count: 2, sum: -0.2, sumSquares: 0.02, sumCubes: -0.002, sumFourths: 0.0002 },
    ],
  }) as unknown as RunEvaluation;

/** A stored row as Postgres hands it back: the float columns read the strings back as numbers. */
function storedRow(run: RunEvaluation) {
  const stored = JSON.parse(encodeRunResult(run));
  const float = (value: number | string) => Number(value);
  return { ...stored, sharpe: float(stored.sharpe), totalReturn: float(stored.totalReturn), maxDrawdown: float(stored.maxDrawdown) };
}

describe("encodeRunResult", () => {
  it("writes the sortable figures once, the other metrics, and windows and blocks as arrays without their keys", () => {
    const run = evaluation(1.25, Number.POSITIVE_INFINITY);
    expect(JSON.parse(encodeRunResult(run))).toEqual({
      sharpe: 1.25,
      totalReturn: 0.12,
      maxDrawdown: 0.3,
      tradeCount: 7,
      oosSharpe: 0.4,
      metrics: { profitFactor: null },
      walkForward: [
        [1.5, null, 0.01],
        [0.5, -0.25, -0.02],
      ],
      blocks: [
        [3, 0.1, 0.01, 0.001, 0.0001],
        [2, -0.2, 0.02, -0.002, 0.0002],
      ],
    });
  });

  it("keeps a non-finite sortable figure as the float spelling Postgres reads back, and nulls it inside the objects", () => {
    const decoded = JSON.parse(encodeRunResult(evaluation(Number.NaN, Number.POSITIVE_INFINITY)));
    expect(decoded.sharpe).toBe("NaN");
    expect(decoded.metrics.profitFactor).toBeNull();
    expect(decoded.walkForward[0][1]).toBeNull();
    expect(JSON.parse(encodeRunResult({ ...evaluation(0, 1), oosSharpe: null })).oosSharpe).toBeNull();
    expect(JSON.parse(encodeRunResult({ ...evaluation(0, 1), oosSharpe: Number.NEGATIVE_INFINITY })).oosSharpe).toBe("-Infinity");
  });
});

describe("decoding a stored run", () => {
  it("gives back the evaluation's figures, non-finite ones as null", () => {
    for (const run of [evaluation(1.25, Number.POSITIVE_INFINITY), evaluation(Number.NaN, 2)]) {
      const row = storedRow(run);
      expect(decodeMetrics(row.metrics, row)).toEqual(finiteFields(run.metrics));
      expect(decodeWindows(row.walkForward)).toEqual(run.windows.map(finiteFields));
      expect(decodeBlocks(row.blocks)).toEqual(run.blocks);
    }
  });
});
