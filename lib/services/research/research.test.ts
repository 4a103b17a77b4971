import { spawn, type ChildProcess } from "node:child_process";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { freshDatabase } from "@/test/db";
import { columnFigures, evaluatedColumnFigures } from "@/test/run-figures";
import { eventually } from "@/test/eventually";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { getSeries, loadBars, saveBars } from "@/lib/adapters/db/bar-store";
import { decodeStoredBlocks } from "@/lib/adapters/db/research-runs";
import { JobQueue } from "@/lib/adapters/jobs/queue";
import { seriesFromBars, type Bar } from "@/lib/core/data/bars";
import { buildRunSettings, evaluateParameterSet, finiteFields, planChunks, searchSpanEquity, seededUniform, validationPlan } from "@/lib/core/research";
import { RESULT_COLUMNS, createResearchService, type ResearchService } from "./service";
import type { SweepRequest } from "./spec";
import { CHUNK_QUEUE } from "./queues";
import { TOP_EQUITY_RUNS } from "./top-equity";

/*
 * Real Postgres, real pg-boss and real worker processes (scripts/worker.ts), each with one
 * compute thread. A lost worker's chunk is retried after 3 s (the test workers' expiry).
 */

let database: ScratchDatabase;
let prisma: PrismaClient;
let queue: JobQueue;
let research: ResearchService;
let seriesId: number;
const workers = new Set<ChildProcess>();

function market(length: number, seed: number): Bar[] {
  const random = seededUniform(seed);
  let price = 100;
  return Array.from({ length }, (_, index) => {
    const open = price;
    price = Math.max(5, price * (1 + (random() - 0.49) * 0.03));
    return { time: Date.UTC(2015, 0, 1) + index * 86_400_000, open, high: Math.max(open, price) * 1.002, low: Math.min(open, price) * 0.998, close: price, volume: 1000 };
  });
}

function startWorker(extraArgs: string[] = [], logLevel = "warn"): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts", "--threads", "1", "--expire-seconds", "3", "--maintenance-seconds", "1", ...extraArgs], {
    env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: logLevel, KESTREL_CODE_VERSION: "test-version" },
    stdio: ["ignore", logLevel === "warn" ? "inherit" : "pipe", "inherit"],
  });
  workers.add(child);
  child.once("exit", () => workers.delete(child));
  return child;
}

/** The line a worker logs once it is ready, parsed. */
function readyLine(child: ChildProcess): Promise<{ threads: number; warmUpMs: (number | null)[] }> {
  return new Promise((resolve, reject) => {
    let text = "";
    child.once("exit", (code) => reject(new Error(`the worker exited with code ${code} before it was ready`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split("\n").find((entry) => entry.includes("research worker ready"));
      if (line) resolve(JSON.parse(line));
    });
  });
}

async function stopWorkers(): Promise<void> {
  await Promise.all(
    [...workers].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        }),
    ),
  );
}

const request = (name: string, chunkSize?: number): SweepRequest => ({
  name,
  strategy: "ma-cross",
  space: { fast: { from: 2, to: 20, step: 3 }, slow: { from: 10, to: 70, step: 6 } },
  seriesIds: [seriesId],
  validation: { mode: "rolling", trainBars: 500, testBars: 250, holdoutFraction: 0.2 },
  settings: { fractional: true },
  chunkSize,
});

/** The result table without what legitimately differs between two sweeps: ids and run keys. */
async function resultTable(sweepId: number) {
  const rows = await prisma.researchRun.findMany({ where: { sweepId }, orderBy: { paramIndex: "asc" } });
  return rows.map(({ id: _id, sweepId: _sweep, runKey: _key, createdAt: _at, ...rest }) => rest);
}

/** What evaluating a sweep's parameter sets here, in the test, gives. */
async function directEvaluation(sweepId: number) {
  const spec = (await research.spec(sweepId))!;
  const series = (await getSeries(prisma, seriesId))!;
  const bars = await loadBars(prisma, seriesId, {});
  const settings = buildRunSettings(spec.settings, series);
  const plan = validationPlan(bars.length, spec.validation);
  return {
    spec,
    evaluate: (paramIndex: number) => evaluateParameterSet(bars, spec.strategy, spec.parameterSets[paramIndex], settings, plan),
    equity: (paramIndex: number) => searchSpanEquity(bars, spec.strategy, spec.parameterSets[paramIndex], settings, plan),
  };
}

/** Stored rows, as the results read them, hold exactly what evaluating their parameter sets here gives. */
async function expectRowsMatchDirectEvaluation(sweepId: number, paramIndexes: number[]): Promise<void> {
  const direct = await directEvaluation(sweepId);
  const rows = await research.results(sweepId, { sort: "paramIndex", direction: "asc", limit: 1_000 });
  for (const paramIndex of paramIndexes) {
    const row = rows.find((entry) => entry.paramIndex === paramIndex)!;
    const evaluation = direct.evaluate(paramIndex);
    expect(row.parameters).toEqual(direct.spec.parameterSets[paramIndex]);
    expect(columnFigures(row)).toEqual(evaluatedColumnFigures(evaluation));
    expect(row.metrics).toEqual(finiteFields(evaluation.metrics));
    expect(row.walkForward).toEqual(evaluation.windows.map(finiteFields));
    const stored = await prisma.researchRun.findFirstOrThrow({ where: { sweepId, paramIndex }, select: { blocks: true } });
    expect(decodeStoredBlocks(stored.blocks)).toEqual(evaluation.blocks.map(finiteFields));
  }
}

/** The stored curves are the best runs by in-sample Sharpe, each exactly the equity of running it here. */
async function expectTopEquityMatchesDirectEvaluation(sweepId: number): Promise<void> {
  const direct = await directEvaluation(sweepId);
  const rows = await research.results(sweepId, { sort: "paramIndex", direction: "asc", limit: 1_000 });
  const best = rows
    .filter((row) => Number.isFinite(row.sharpe))
    .sort((a, b) => b.sharpe - a.sharpe || a.paramIndex - b.paramIndex)
    .slice(0, TOP_EQUITY_RUNS);
  const curves = await research.topEquity(sweepId, TOP_EQUITY_RUNS);
  expect(curves.map((curve) => curve.paramIndex)).toEqual(best.map((row) => row.paramIndex));
  for (const curve of curves) {
    expect(curve.parameters).toEqual(direct.spec.parameterSets[curve.paramIndex]);
    expect(curve.sharpe).toBe(rows.find((row) => row.paramIndex === curve.paramIndex)!.sharpe);
    expect(curve.equity).toEqual(direct.equity(curve.paramIndex));
  }
  // The dashboard asks for the best five.
  expect(await research.topEquity(sweepId)).toEqual(curves.slice(0, 5));
}

const waitForStatus = (sweepId: number, status: string, timeoutMs = 90_000) =>
  eventually(() => research.progress(sweepId), (progress) => progress?.status === status, timeoutMs);

beforeAll(async () => {
  database = await freshDatabase({ migrated: true });
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  queue = await JobQueue.start({ connectionString: database.url, maintenanceIntervalSeconds: 1 });
  research = createResearchService({ prisma, queue, log: { info: () => undefined, warn: () => undefined }, codeVersion: "test-version", expireInSeconds: 3 });
  seriesId = (await saveBars(prisma, { symbol: "SYN", barSize: "1 day", source: "test" }, seriesFromBars(market(3000, 21)))).id;
});

afterEach(async () => {
  await stopWorkers();
});

afterAll(async () => {
  await stopWorkers();
  await queue?.stop({ timeoutMs: 1_000 });
  await prisma?.$disconnect();
  await database?.drop();
});

describe("research sweeps on worker processes", () => {
  it("two worker processes produce exactly the table one process does", { timeout: 240_000 }, async () => {
    startWorker();
    const single = await research.createSweep(request("one process", 4));
    await waitForStatus(single.id, "done", 120_000);
    await stopWorkers();

    // Both ready before the sweep exists: a chunk takes a few milliseconds, so a worker still
    // warming up could find every chunk already taken by the other.
    await Promise.all([startWorker([], "info"), startWorker([], "info")].map(readyLine));
    const split = await research.createSweep(request("two processes", 4));
    await waitForStatus(split.id, "done", 120_000);
    // Without a chunk size the service plans the chunks from the series' length.
    const planned = await research.createSweep(request("planned chunks"));
    expect(planned.chunksTotal).toBe(planChunks(1, planned.runsTotal, 3000).length);
    await waitForStatus(planned.id, "done", 120_000);

    const [one, two] = [await resultTable(single.id), await resultTable(split.id)];
    expect(one.length).toBe(single.runsTotal);
    expect(two).toEqual(one);
    expect(await resultTable(planned.id)).toEqual(one);
    const chunkWorkers = await prisma.researchChunk.groupBy({ by: ["worker"], where: { sweepId: split.id } });
    expect(chunkWorkers.length).toBe(2);
    expect(one[0].codeVersion).toBe("test-version");
    expect(one[0].dataHash).toMatch(/^[0-9a-f]{64}$/);
    await expectRowsMatchDirectEvaluation(single.id, [0, Math.floor(one.length / 2), one.length - 1]);
    await expectTopEquityMatchesDirectEvaluation(single.id);
    for (const sort of RESULT_COLUMNS) {
      const page = await research.results(single.id, { sort, direction: "desc", limit: 10 });
      const values = page.map((row) => row[sort] ?? Number.NEGATIVE_INFINITY);
      expect(values).toEqual([...values].sort((a, b) => b - a));
    }
    expect(await research.topEquity(split.id, TOP_EQUITY_RUNS)).toEqual(await research.topEquity(single.id, TOP_EQUITY_RUNS));
    expect(await research.topEquity(planned.id, TOP_EQUITY_RUNS)).toEqual(await research.topEquity(single.id, TOP_EQUITY_RUNS));

    const summary = (await research.summary(split.id)) as { verdict: { trials: number; pbo: unknown; deflatedSharpe: unknown }; holdout: unknown }[];
    expect(summary).toEqual(await research.summary(single.id));
    expect(summary[0].verdict.trials).toBe(one.length);
    expect(summary[0].verdict.pbo).not.toBeNull();
    expect(summary[0].verdict.deflatedSharpe).not.toBeNull();
    expect(summary[0].holdout).not.toBeNull();
  });

  it("a worker killed mid-chunk loses nothing: its chunk is retried elsewhere and every run is written once", { timeout: 180_000 }, async () => {
    const doomed = startWorker();
    const sweep = await research.createSweep(request("kill", 3));
    const activeJobs = () => prisma.$queryRaw<{ count: bigint }[]>`SELECT count(*) FROM pgboss.job WHERE name = ${CHUNK_QUEUE} AND state = 'active'`;
    await eventually(() => research.progress(sweep.id), (progress) => (progress?.chunksDone ?? 0) >= 2, 60_000);
    await eventually(activeJobs, (rows) => Number(rows[0].count) > 0, 30_000);
    doomed.kill("SIGKILL");
    await new Promise((resolve) => doomed.once("exit", resolve));
    const doneAtKill = (await research.progress(sweep.id))!.chunksDone;
    expect(doneAtKill).toBeLessThan(sweep.chunksTotal);

    startWorker();
    const done = await waitForStatus(sweep.id, "done", 120_000);
    // The counters are raised once per chunk, however often a chunk was tried.
    expect(done!.runsDone).toBe(sweep.runsTotal);
    expect(done!.chunksDone).toBe(sweep.chunksTotal);
    const distinct = await prisma.$queryRaw<{ runs: bigint; params: bigint }[]>`
      SELECT count(*) AS runs, count(DISTINCT param_index) AS params FROM research_runs WHERE sweep_id = ${sweep.id}`;
    expect(Number(distinct[0].runs)).toBe(sweep.runsTotal);
    expect(Number(distinct[0].params)).toBe(sweep.runsTotal);
    const retried = await prisma.$queryRaw<{ count: bigint }[]>`SELECT count(*) FROM pgboss.job WHERE name = ${CHUNK_QUEUE} AND retry_count > 0 AND state = 'completed'`;
    expect(Number(retried[0].count)).toBeGreaterThan(0);
  });

  it("cancel stops the remaining jobs", { timeout: 120_000 }, async () => {
    startWorker();
    const sweep = await research.createSweep(request("cancel", 1));
    await eventually(() => research.progress(sweep.id), (progress) => (progress?.chunksDone ?? 0) >= 2, 60_000);
    const cancelled = await research.cancel(sweep.id);
    expect(cancelled?.status).toBe("cancelled");
    // A chunk already running may finish; nothing after it starts.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const settled = (await research.progress(sweep.id))!;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const later = (await research.progress(sweep.id))!;
    expect(later.chunksDone).toBe(settled.chunksDone);
    expect(later.chunksDone).toBeLessThan(sweep.chunksTotal);
    expect(later.status).toBe("cancelled");
    // Curves are drawn by the summary step, which a cancelled sweep never reaches.
    expect(await research.topEquity(sweep.id)).toEqual([]);
    const states = await prisma.$queryRaw<{ state: string; count: bigint }[]>`
      SELECT state::text, count(*) FROM pgboss.job WHERE name = ${CHUNK_QUEUE} AND data->>'sweepId' = ${String(sweep.id)} GROUP BY state`;
    const byState = Object.fromEntries(states.map((row) => [row.state, Number(row.count)]));
    expect(byState.cancelled).toBeGreaterThan(0);
    expect(byState.created ?? 0).toBe(0);
    expect(byState.active ?? 0).toBe(0);
  });

  it("a worker warms its compute threads up before it is ready, unless started with --no-warm-up", { timeout: 60_000 }, async () => {
    const [warmed, cold] = await Promise.all([readyLine(startWorker([], "info")), readyLine(startWorker(["--no-warm-up"], "info"))]);
    expect(warmed.warmUpMs).toHaveLength(1);
    expect(warmed.warmUpMs[0]).toBeGreaterThan(0);
    expect(cold.warmUpMs).toEqual([null]);
  });

  it("rejects a bad request with a message naming the field", async () => {
    await expect(research.createSweep({ ...request("bad", 5), strategy: "nope" })).rejects.toThrow(/strategy "nope" is unknown/);
    await expect(research.createSweep({ ...request("bad", 5), seriesIds: [9999] })).rejects.toThrow(/bar series 9999 does not exist/);
  });
});
