import type { Logger } from "pino";
import { z } from "zod";
import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import type { JobQueue } from "@/lib/adapters/jobs/queue";
import { getSeries } from "@/lib/adapters/db/bar-store";
import { decodeStoredMetrics, decodeStoredWindows } from "@/lib/adapters/db/research-runs";
import { planChunks, type EquitySample, type WindowResult } from "@/lib/core/research";
import { CHUNK_QUEUE, FINALIZE_QUEUE, chunkJobId, queuePolicy, type ChunkJob } from "./queues";
import { SweepRequestError, parameterSetsFor, parseSweepRequest, type SweepRequest, type SweepSpec } from "./spec";

export type SweepStatus = "queued" | "running" | "done" | "cancelled" | "failed";

export interface SweepProgress {
  readonly id: number;
  readonly name: string;
  readonly strategy: string;
  readonly status: SweepStatus;
  readonly chunksDone: number;
  readonly chunksTotal: number;
  readonly runsDone: number;
  readonly runsTotal: number;
  /** Seconds left at the rate so far; null before the first chunk or once finished. */
  readonly etaSeconds: number | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly error: string | null;
}

export const RESULT_COLUMNS = ["paramIndex", "sharpe", "totalReturn", "maxDrawdown", "tradeCount", "oosSharpe"] as const;
export type ResultColumn = (typeof RESULT_COLUMNS)[number];

export const resultQuerySchema = z.object({
  sort: z.enum(RESULT_COLUMNS).default("sharpe"),
  direction: z.enum(["asc", "desc"]).default("desc"),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  seriesId: z.coerce.number().int().positive().optional(),
});

export type ResultQuery = z.input<typeof resultQuerySchema>;

export interface ResultRow {
  readonly runKey: string;
  readonly paramIndex: number;
  readonly seriesId: number;
  readonly parameters: Record<string, unknown>;
  readonly sharpe: number;
  readonly totalReturn: number;
  readonly maxDrawdown: number;
  readonly tradeCount: number;
  readonly oosSharpe: number | null;
  /** Every metric of the search span; null where a figure is not finite. */
  readonly metrics: Record<string, number | null>;
  readonly walkForward: readonly WindowResult[];
  readonly dataHash: string;
  readonly codeVersion: string;
}

export interface TopEquityCurve {
  readonly paramIndex: number;
  readonly seriesId: number;
  readonly parameters: unknown;
  readonly sharpe: number;
  readonly equity: EquitySample;
}

export interface HeatmapCell {
  readonly x: number | string | boolean;
  readonly y: number | string | boolean;
  /** The best value of the metric over every other parameter at this (x, y). */
  readonly value: number;
}

export interface ResearchServiceOptions {
  readonly prisma: PrismaClient;
  readonly queue: JobQueue;
  readonly log: Pick<Logger, "info" | "warn">;
  readonly codeVersion: string;
  /** A chunk still running this long is presumed lost with its worker and retried. */
  readonly expireInSeconds?: number;
}

export type ResearchService = ReturnType<typeof createResearchService>;

/** Sweeps from the web side: enqueue, watch, cancel, read results. Workers do the computing. */
export function createResearchService({ prisma, queue, log, codeVersion, expireInSeconds = 600 }: ResearchServiceOptions) {
  let queuesReady: Promise<void> | undefined;
  const ensureQueues = () =>
    (queuesReady ??= (async () => {
      for (const name of [CHUNK_QUEUE, FINALIZE_QUEUE]) await queue.ensureQueue(name, queuePolicy(expireInSeconds));
    })().catch((error: unknown) => {
      queuesReady = undefined;
      throw error;
    }));

  async function createSweep(input: SweepRequest): Promise<SweepProgress> {
    const request = parseSweepRequest(input);
    let longestSeries = 0;
    for (const seriesId of request.seriesIds) {
      const series = await getSeries(prisma, seriesId);
      if (!series) throw new SweepRequestError(`seriesIds: bar series ${seriesId} does not exist`);
      longestSeries = Math.max(longestSeries, series.barCount);
    }
    const parameterSets = parameterSetsFor(request);
    await ensureQueues();
    const spec: SweepSpec = { ...request, parameterSets };
    const jobs = chunkJobs(request.seriesIds, parameterSets.length, longestSeries, request.chunkSize);
    const sweep = await prisma.researchSweep.create({
      data: {
        name: request.name,
        strategy: request.strategy,
        status: "queued",
        spec: JSON.parse(JSON.stringify(spec)),
        totalRuns: parameterSets.length * request.seriesIds.length,
        totalChunks: jobs.length,
        codeVersion,
      },
    });
    // Chunks are planned largest first; priorities make workers take them in that order.
    await queue.sendAll(
      CHUNK_QUEUE,
      jobs.map((job) => ({ id: chunkJobId(sweep.id, job.chunk), data: { ...job, sweepId: sweep.id }, priority: jobs.length - job.chunk })),
    );
    log.info({ sweep: sweep.id, runs: sweep.totalRuns, jobs: jobs.length }, "sweep queued");
    return (await progress(sweep.id))!;
  }

  async function progress(sweepId: number): Promise<SweepProgress | undefined> {
    const sweep = await prisma.researchSweep.findUnique({ where: { id: sweepId }, select: PROGRESS_FIELDS });
    return sweep ? toProgress(sweep) : undefined;
  }

  async function listSweeps(limit = 50): Promise<SweepProgress[]> {
    const sweeps = await prisma.researchSweep.findMany({ orderBy: { id: "desc" }, take: limit, select: PROGRESS_FIELDS });
    return sweeps.map(toProgress);
  }

  /** Stops a sweep: queued chunks are cancelled; a chunk already running finishes and is kept. */
  async function cancel(sweepId: number): Promise<SweepProgress | undefined> {
    const sweep = await prisma.researchSweep.findUnique({ where: { id: sweepId }, select: { totalChunks: true } });
    if (!sweep) return undefined;
    await prisma.researchSweep.updateMany({ where: { id: sweepId, status: { in: ["queued", "running"] } }, data: { status: "cancelled", finishedAt: new Date() } });
    const ids = Array.from({ length: sweep.totalChunks }, (_, chunk) => chunkJobId(sweepId, chunk));
    await queue.cancel(CHUNK_QUEUE, ids);
    log.info({ sweep: sweepId }, "sweep cancelled");
    return progress(sweepId);
  }

  async function results(sweepId: number, query: ResultQuery = {}): Promise<ResultRow[]> {
    const { sort, direction, limit, offset, seriesId } = resultQuerySchema.parse(query);
    const rows = await prisma.researchRun.findMany({
      where: { sweepId, ...(seriesId ? { seriesId } : {}) },
      // Only oosSharpe may be null (Prisma refuses a nulls order on the other columns).
      orderBy: [sort === "oosSharpe" ? { oosSharpe: { sort: direction, nulls: "last" } } : { [sort]: direction }, { paramIndex: "asc" }, { seriesId: "asc" }],
      take: limit,
      skip: offset,
    });
    return rows.map(toResultRow);
  }

  async function heatmap(sweepId: number, x: string, y: string, metric: ResultColumn = "sharpe"): Promise<HeatmapCell[]> {
    const rows = await prisma.researchRun.findMany({ where: { sweepId }, select: { parameters: true, [metric]: true } });
    const cells = new Map<string, HeatmapCell>();
    for (const row of rows) {
      const parameters = row.parameters as Record<string, number | string | boolean>;
      const value = (row as unknown as Record<string, number | null>)[metric];
      if (value === null || !Number.isFinite(value) || parameters[x] === undefined || parameters[y] === undefined) continue;
      const key = JSON.stringify([parameters[x], parameters[y]]);
      const cell = cells.get(key);
      if (!cell || value > cell.value) cells.set(key, { x: parameters[x], y: parameters[y], value });
    }
    return [...cells.values()];
  }

  /** Equity of the best runs by in-sample Sharpe, best first: stored by the summary step, so none before a sweep is done. */
  async function topEquity(sweepId: number, count = 5): Promise<TopEquityCurve[]> {
    const curves = await prisma.researchTopEquity.findMany({ where: { sweepId }, orderBy: { rank: "asc" }, take: count });
    if (curves.length === 0) return [];
    const runs = await prisma.researchRun.findMany({
      where: { sweepId, OR: curves.map(({ paramIndex, seriesId }) => ({ paramIndex, seriesId })) },
      select: { paramIndex: true, seriesId: true, parameters: true, sharpe: true },
    });
    return curves.flatMap((curve) => {
      const run = runs.find((entry) => entry.paramIndex === curve.paramIndex && entry.seriesId === curve.seriesId);
      return run ? [{ ...run, equity: curve.equity as EquitySample }] : [];
    });
  }

  async function summary(sweepId: number): Promise<unknown> {
    const sweep = await prisma.researchSweep.findUnique({ where: { id: sweepId }, select: { summary: true } });
    return sweep?.summary ?? null;
  }

  async function spec(sweepId: number): Promise<SweepSpec | undefined> {
    const sweep = await prisma.researchSweep.findUnique({ where: { id: sweepId }, select: { spec: true } });
    return sweep ? (sweep.spec as unknown as SweepSpec) : undefined;
  }

  return { createSweep, progress, listSweeps, cancel, results, heatmap, topEquity, summary, spec };
}

/** The sweep's jobs, numbered from 0: runs of `chunkSize` parameter sets, or planned from the series' length without it. */
function chunkJobs(seriesIds: readonly number[], setCount: number, barCount: number, chunkSize: number | undefined): Omit<ChunkJob, "sweepId">[] {
  return planChunks(seriesIds.length, setCount, barCount, chunkSize).map((span, chunk) => ({
    chunk,
    seriesId: seriesIds[span.series],
    paramStart: span.start,
    paramEnd: span.end,
  }));
}

/** What progress reads of a sweep: not its spec or summary, which a sweep of many sets makes large (and progress is polled). */
const PROGRESS_FIELDS = {
  id: true,
  name: true,
  strategy: true,
  status: true,
  chunksDone: true,
  totalChunks: true,
  runsDone: true,
  totalRuns: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  error: true,
} as const satisfies Prisma.ResearchSweepSelect;

type SweepRow = Prisma.ResearchSweepGetPayload<{ select: typeof PROGRESS_FIELDS }>;

/** Progress from the sweep's own counters, which workers raise as they write each chunk. */
function toProgress(sweep: SweepRow): SweepProgress {
  return {
    id: sweep.id,
    name: sweep.name,
    strategy: sweep.strategy,
    status: sweep.status as SweepStatus,
    chunksDone: sweep.chunksDone,
    chunksTotal: sweep.totalChunks,
    runsDone: sweep.runsDone,
    runsTotal: sweep.totalRuns,
    etaSeconds: eta(sweep),
    createdAt: sweep.createdAt.toISOString(),
    startedAt: sweep.startedAt?.toISOString() ?? null,
    finishedAt: sweep.finishedAt?.toISOString() ?? null,
    error: sweep.error,
  };
}

function eta(sweep: SweepRow): number | null {
  const { chunksDone } = sweep;
  if (!sweep.startedAt || sweep.finishedAt || chunksDone === 0 || sweep.status !== "running") return null;
  const elapsedSeconds = (new Date().getTime() - sweep.startedAt.getTime()) / 1000;
  return Math.round((elapsedSeconds / chunksDone) * (sweep.totalChunks - chunksDone));
}

type RunRow = Awaited<ReturnType<PrismaClient["researchRun"]["findUniqueOrThrow"]>>;

function toResultRow(row: RunRow): ResultRow {
  return {
    runKey: row.runKey,
    paramIndex: row.paramIndex,
    seriesId: row.seriesId,
    parameters: row.parameters as Record<string, unknown>,
    sharpe: row.sharpe,
    totalReturn: row.totalReturn,
    maxDrawdown: row.maxDrawdown,
    tradeCount: row.tradeCount,
    oosSharpe: row.oosSharpe,
    metrics: decodeStoredMetrics(row.metrics, row),
    walkForward: decodeStoredWindows(row.walkForward),
    dataHash: row.dataHash,
    codeVersion: row.codeVersion,
  };
}
