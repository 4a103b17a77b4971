import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { freshDatabase } from "@/test/db";
import { columnFigures, evaluatedColumnFigures } from "@/test/run-figures";
import type { RunEvaluation } from "@/lib/core/research";
import type { Metrics } from "@/lib/core/backtest/metrics";
import {
  STORED_METRICS,
  createRunFigures,
  decodeStoredBlocks,
  decodeStoredMetrics,
  decodeStoredWindows,
  putRunFigures,
  readOutcomes,
  readSweepSpec,
  startChunk,
  writeChunk,
  type RunFigures,
} from "./research-runs";
import type { ScratchDatabase } from "./scratch-database";

let database: ScratchDatabase;
let sql: pg.Pool;
let prisma: PrismaClient;
let sweepId: number;

const metrics = (sharpe: number, profitFactor: number): Metrics => ({
  finalCapital: 110_000,
  totalReturn: 0.1,
  cagr: 0.02,
  sharpe,
  sortino: 1.5,
  maxDrawdown: 0.2,
  maxDrawdownDuration: 40,
  maxDrawdownDurationBars: 28,
  tradeCount: 7,
  profitPerTrade: 1428.5,
  winRate: 1,
  profitFactor,
  exposure: 0.4,
  dailyReturns: 4999,
});

const blocks = [
  { count: 3, sum: 0.01, sumSquares: 0.0002, sumCubes: -1e-6, sumFourths: 3e-8 },
  { count: 2, sum: Number.NaN, sumSquares: 0.0001, sumCubes: 0, sumFourths: 1e-8 },
];

const withWindows: RunEvaluation[] = [
  {
    metrics: metrics(1.25, Number.POSITIVE_INFINITY),
    windows: [
      { index: 0, trainSharpe: 0.5, testSharpe: Number.NaN, testReturn: 0.01 },
      { index: 1, trainSharpe: -0.25, testSharpe: 2, testReturn: -0.03 },
    ],
    oosSharpe: 0.75,
    blocks,
  },
  { metrics: metrics(Number.NaN, 2), windows: [{ index: 0, trainSharpe: 1, testSharpe: 1, testReturn: 0 }, { index: 1, trainSharpe: 0, testSharpe: 0, testReturn: 0 }], oosSharpe: Number.NEGATIVE_INFINITY, blocks },
];

function figuresOf(evaluations: RunEvaluation[]): RunFigures {
  const figures = createRunFigures(evaluations.length, evaluations[0].windows.length, evaluations[0].blocks.length);
  evaluations.forEach((evaluation, run) => putRunFigures(figures, run, evaluation));
  return figures;
}

const write = (chunk: number, firstParamIndex: number, evaluations: RunEvaluation[]) =>
  writeChunk(sql, {
    sweepId,
    chunk,
    seriesId: 1,
    dataHash: "hash",
    codeVersion: "test",
    worker: "here",
    firstParamIndex,
    runKeys: evaluations.map((_, offset) => `sweep ${sweepId} / params ${firstParamIndex + offset} / series 1`),
    parameters: evaluations.map((_, offset) => ({ fast: firstParamIndex + offset, slow: 50 })),
    figures: figuresOf(evaluations),
  });

const finite = (value: number) => (Number.isFinite(value) ? value : null);

beforeAll(async () => {
  database = await freshDatabase({ migrated: true });
  sql = new pg.Pool({ connectionString: database.url, max: 1 });
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  const sweep = await prisma.researchSweep.create({
    data: { name: "figures", strategy: "ma-cross", status: "running", spec: {}, totalRuns: 3, totalChunks: 2, codeVersion: "test" },
  });
  sweepId = sweep.id;
});

afterAll(async () => {
  await sql?.end();
  await prisma?.$disconnect();
  await database?.drop();
});

describe("research run figures", () => {
  it("store every figure of a chunk's runs, non-finite ones included, and read back as objects", async () => {
    expect(await write(0, 10, withWindows)).toEqual({ chunksDone: 1, totalChunks: 2 });
    const rows = await prisma.researchRun.findMany({ where: { sweepId }, orderBy: { paramIndex: "asc" } });
    expect(rows.map((row) => [row.paramIndex, row.parameters, row.runKey])).toEqual([
      [10, { fast: 10, slow: 50 }, `sweep ${sweepId} / params 10 / series 1`],
      [11, { fast: 11, slow: 50 }, `sweep ${sweepId} / params 11 / series 1`],
    ]);
    rows.forEach((row, run) => {
      const evaluation = withWindows[run];
      expect(columnFigures(row)).toEqual(evaluatedColumnFigures(evaluation));
      expect(row.metrics).toHaveLength(STORED_METRICS.length);
      expect(decodeStoredMetrics(row.metrics, row)).toEqual(Object.fromEntries(Object.entries(evaluation.metrics).map(([name, value]) => [name, finite(value)])));
      expect(decodeStoredWindows(row.walkForward)).toEqual(
        evaluation.windows.map((window) => ({ index: window.index, trainSharpe: finite(window.trainSharpe), testSharpe: finite(window.testSharpe), testReturn: finite(window.testReturn) })),
      );
      expect(decodeStoredBlocks(row.blocks)).toEqual(evaluation.blocks.map((block) => ({ ...block, sum: finite(block.sum) })));
    });
  });

  it("store no out-of-sample Sharpe for runs without walk-forward windows", async () => {
    const plain: RunEvaluation = { metrics: metrics(0.5, 1.5), windows: [], oosSharpe: null, blocks };
    expect(await write(1, 0, [plain])).toEqual({ chunksDone: 2, totalChunks: 2 });
    const row = await prisma.researchRun.findFirstOrThrow({ where: { sweepId, paramIndex: 0 } });
    expect(row.oosSharpe).toBeNull();
    expect(row.walkForward).toEqual([]);
    expect(decodeStoredBlocks(row.blocks)).toHaveLength(blocks.length);
  });

  it("write a chunk once: a second attempt adds no runs and leaves the counters", async () => {
    expect(await write(0, 10, withWindows)).toBeUndefined();
    expect(await prisma.researchRun.count({ where: { sweepId } })).toBe(3);
    const sweep = await prisma.researchSweep.findUniqueOrThrow({ where: { id: sweepId } });
    expect([sweep.chunksDone, sweep.runsDone]).toEqual([2, 3]);
  });

  it("read back for the summary in parameter order, as the rows hold them", async () => {
    const rows = await prisma.researchRun.findMany({ where: { sweepId }, orderBy: { paramIndex: "asc" } });
    const outcomes = await readOutcomes(sql, sweepId, 1);
    expect(outcomes).toEqual(
      rows.map((row) => ({
        paramIndex: row.paramIndex,
        parameters: row.parameters,
        sharpe: row.sharpe,
        oosSharpe: row.oosSharpe,
        blocks: decodeStoredBlocks(row.blocks),
        windows: decodeStoredWindows(row.walkForward),
      })),
    );
    expect(outcomes.map((outcome) => [outcome.paramIndex, outcome.oosSharpe])).toEqual([
      [0, null],
      [10, 0.75],
      [11, Number.NEGATIVE_INFINITY],
    ]);
    expect(outcomes[2].sharpe).toBeNaN();
    expect(await readOutcomes(sql, sweepId, 2)).toEqual([]);
  });

  it("start a chunk: a queued sweep is marked running once, any other status is only read", async () => {
    const queued = await prisma.researchSweep.create({
      data: { name: "start", strategy: "ma-cross", status: "queued", spec: { strategy: "ma-cross", parameterSets: [{ fast: 2 }] }, totalRuns: 1, totalChunks: 1, codeVersion: "test" },
    });
    expect(await startChunk(sql, queued.id)).toBe("running");
    const started = await prisma.researchSweep.findUniqueOrThrow({ where: { id: queued.id } });
    expect(started.status).toBe("running");
    expect(started.startedAt).toBeInstanceOf(Date);
    expect(await startChunk(sql, queued.id)).toBe("running");
    expect((await prisma.researchSweep.findUniqueOrThrow({ where: { id: queued.id } })).startedAt).toEqual(started.startedAt);
    await prisma.researchSweep.update({ where: { id: queued.id }, data: { status: "cancelled" } });
    expect(await startChunk(sql, queued.id)).toBe("cancelled");
    expect(await startChunk(sql, 999_999)).toBeUndefined();
    expect(await readSweepSpec(sql, queued.id)).toEqual({ strategy: "ma-cross", parameterSets: [{ fast: 2 }] });
    expect(await readSweepSpec(sql, 999_999)).toBeUndefined();
  });

  it("refuse a run whose windows or blocks differ from its chunk's", () => {
    const figures = createRunFigures(1, 1, blocks.length);
    expect(() => putRunFigures(figures, 0, withWindows[0])).toThrow(/2 windows/);
  });
});
