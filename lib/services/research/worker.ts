import type { Logger } from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { getSeries, hashBars, loadBars } from "@/lib/adapters/db/bar-store";
import type { JobQueue } from "@/lib/adapters/jobs/queue";
import { shareSeries, type ThreadPool } from "@/lib/adapters/jobs/thread-pool";
import type { BarSeries } from "@/lib/core/data/bars";
import { readOutcomes, readSweepSpec, startChunk, writeChunk as writeChunkRuns, type RunFigures, type SqlClient } from "@/lib/adapters/db/research-runs";
import {
  buildRunSettings,
  evaluateHoldout,
  finiteFields,
  judgeSweep,
  searchSpanEquity,
  validationPlan,
  type ParameterSet,
} from "@/lib/core/research";
import { CHUNK_QUEUE, FINALIZE_QUEUE, finalizeJobId, queuePolicy, runKey, type ChunkJob, type FinalizeJob } from "./queues";
import type { SweepSpec } from "./spec";
import { TOP_EQUITY_RUNS, bestRuns } from "./top-equity";

export interface ResearchWorkerOptions {
  readonly prisma: PrismaClient;
  /** Connections for the result writes, which go straight to the pg driver: a chunk's figures are one binary parameter. */
  readonly sql: SqlClient;
  readonly queue: JobQueue;
  readonly pool: ThreadPool;
  readonly log: Pick<Logger, "info" | "warn" | "error">;
  /** Names this process in the results (host and pid). */
  readonly workerName: string;
  readonly codeVersion: string;
  /**
   * Chunks this process holds at once; defaults to one more than its threads, so the next chunk
   * is fetched and waiting when a thread finishes one.
   */
  readonly concurrency?: number;
  readonly expireInSeconds?: number;
}

/** Where this process's chunk handlers spent their time, in milliseconds. */
export interface ChunkTimings {
  chunks: number;
  runs: number;
  /** Status check, spec and bars before computing. */
  prepareMs: number;
  /** The compute threads' time on this process's chunks, summed over threads. */
  computeMs: number;
  /** Waiting for a thread's results, computing included (with one chunk queued behind each thread). */
  waitMs: number;
  /** Writing a chunk's results and progress (overlaps the next chunk's computing). */
  writeMs: number;
}

export interface ResearchWorker {
  timings(): Readonly<ChunkTimings>;
}

interface LoadedBars {
  readonly key: string;
  readonly bars: BarSeries;
  readonly dataHash: string;
  readonly symbol: string;
  readonly timeZone: string;
}

/**
 * A research worker: takes sweep chunks off the queue, evaluates them on its compute threads and
 * writes each run once. Bars come by reference (series id and span): each process loads a
 * series from Postgres once and shares it with its threads.
 */
export async function startResearchWorker(options: ResearchWorkerOptions): Promise<ResearchWorker> {
  const { prisma, queue, pool, log } = options;
  const timings: ChunkTimings = { chunks: 0, runs: 0, prepareMs: 0, computeMs: 0, waitMs: 0, writeMs: 0 };
  const specs = new Map<number, Promise<SweepSpec>>();
  const barsCache = new Map<string, Promise<LoadedBars>>();

  const specOf = (sweepId: number) => {
    if (!specs.has(sweepId)) {
      const loading = readSweepSpec(options.sql, sweepId).then((spec) => {
        if (spec === undefined) throw new Error(`sweep ${sweepId} does not exist`);
        return spec as SweepSpec;
      });
      loading.catch(() => specs.delete(sweepId));
      specs.set(sweepId, loading);
    }
    return specs.get(sweepId)!;
  };

  const barsOf = (seriesId: number, spec: SweepSpec) => {
    const key = `${seriesId}:${spec.from ?? ""}:${spec.to ?? ""}`;
    if (!barsCache.has(key)) {
      const loading = loadShared(prisma, seriesId, spec, key);
      loading.catch(() => barsCache.delete(key));
      barsCache.set(key, loading);
    }
    return barsCache.get(key)!;
  };

  const policy = queuePolicy(options.expireInSeconds ?? 600);
  await queue.ensureQueue(CHUNK_QUEUE, policy);
  await queue.ensureQueue(FINALIZE_QUEUE, policy);
  // Take no chunk before the threads have warmed up: another worker may be ready to run it now.
  const warmUpMs = await pool.ready();

  queue.work<ChunkJob>(CHUNK_QUEUE, options.concurrency ?? pool.size + 1, async ({ data: job }) => {
    const started = performance.now();
    const status = await startChunk(options.sql, job.sweepId);
    if (status === undefined || status === "cancelled" || status === "failed") return;
    const spec = await specOf(job.sweepId);
    const loaded = await barsOf(job.seriesId, spec);
    const parameters = spec.parameterSets.slice(job.paramStart, job.paramEnd);
    const computing = performance.now();
    timings.prepareMs += computing - started;
    const figures = await pool.run(loaded.key, loaded.bars, { strategy: spec.strategy, parameters, settings: spec.settings, series: { symbol: loaded.symbol, timeZone: loaded.timeZone }, validation: spec.validation });
    timings.waitMs += performance.now() - computing;
    // Written while this slot already fetches and computes its next chunk.
    return async () => {
      const writing = performance.now();
      const complete = await writeChunk(job, parameters, figures, loaded);
      if (complete) await queue.sendAll<FinalizeJob>(FINALIZE_QUEUE, [{ id: finalizeJobId(job.sweepId), data: { sweepId: job.sweepId } }]);
      timings.writeMs += performance.now() - writing;
      timings.chunks++;
      timings.runs += parameters.length;
    };
  });

  queue.work<FinalizeJob>(FINALIZE_QUEUE, 1, async ({ data }) => {
    await finalize(data.sweepId).catch(async (error: unknown) => {
      log.error({ err: error, sweep: data.sweepId }, "sweep summary failed");
      const message = error instanceof Error ? error.message : String(error);
      await prisma.researchSweep.update({ where: { id: data.sweepId }, data: { status: "failed", error: message, finishedAt: new Date() } });
    });
  });
  log.info({ worker: options.workerName, threads: pool.size, warmUpMs: warmUpMs.map((ms) => (ms === undefined ? null : Math.round(ms))) }, "research worker ready");
  return { timings: () => ({ ...timings, computeMs: pool.busyMilliseconds() }) };

  /** Writes the chunk's runs, its chunk row and the sweep's counters in one statement; true once every chunk is in. */
  async function writeChunk(job: ChunkJob, parameters: readonly ParameterSet[], figures: RunFigures, loaded: LoadedBars): Promise<boolean> {
    const written = await writeChunkRuns(options.sql, {
      sweepId: job.sweepId,
      chunk: job.chunk,
      seriesId: job.seriesId,
      dataHash: loaded.dataHash,
      codeVersion: options.codeVersion,
      worker: options.workerName,
      firstParamIndex: job.paramStart,
      runKeys: parameters.map((_, offset) => runKey(job.sweepId, job.paramStart + offset, job.seriesId)),
      parameters,
      figures,
    });
    if (written) return written.chunksDone >= written.totalChunks;
    // Written by an earlier attempt that may have died before it could queue the summary.
    const sweep = await prisma.researchSweep.findUniqueOrThrow({ where: { id: job.sweepId }, select: { chunksDone: true, totalChunks: true } });
    return sweep.chunksDone >= sweep.totalChunks;
  }

  async function finalize(sweepId: number): Promise<void> {
    const sweep = await prisma.researchSweep.findUniqueOrThrow({ where: { id: sweepId } });
    if (sweep.status === "done" || sweep.status === "cancelled") return;
    const spec = await specOf(sweepId);
    const perSeries = [];
    for (const seriesId of spec.seriesIds) {
      const outcomes = await readOutcomes(options.sql, sweepId, seriesId);
      const verdict = judgeSweep(outcomes, spec.search.kind === "grid" ? spec.space : null);
      const loaded = await barsOf(seriesId, spec);
      const holdout = verdict.chosen
        ? evaluateHoldout(loaded.bars, spec.strategy, verdict.chosen.parameters, buildRunSettings(spec.settings, loaded), validationPlan(loaded.bars.length, spec.validation))
        : null;
      const chosen = outcomes.find((outcome) => outcome.paramIndex === verdict.chosen?.paramIndex);
      perSeries.push({ seriesId, symbol: loaded.symbol, verdict, chosenOosSharpe: chosen?.oosSharpe ?? null, holdout: holdout && finiteFields(holdout) });
    }
    const curves = await topEquity(sweepId, spec);
    await prisma.$transaction([
      prisma.researchTopEquity.deleteMany({ where: { sweepId } }),
      prisma.researchTopEquity.createMany({ data: curves }),
      prisma.researchSweep.update({ where: { id: sweepId }, data: { status: "done", summary: JSON.parse(JSON.stringify(perSeries)), finishedAt: new Date() } }),
    ]);
    log.info({ sweep: sweepId }, "sweep done");
  }

  /** The sampled equity of the sweep's best runs, from running each again exactly as its chunk did. */
  async function topEquity(sweepId: number, spec: SweepSpec) {
    const curves = [];
    for (const [rank, run] of (await bestRuns(prisma, sweepId, TOP_EQUITY_RUNS)).entries()) {
      const loaded = await barsOf(run.seriesId, spec);
      const settings = buildRunSettings(spec.settings, loaded);
      const equity = searchSpanEquity(loaded.bars, spec.strategy, spec.parameterSets[run.paramIndex], settings, validationPlan(loaded.bars.length, spec.validation));
      curves.push({ sweepId, rank, paramIndex: run.paramIndex, seriesId: run.seriesId, equity });
    }
    return curves;
  }
}

async function loadShared(prisma: PrismaClient, seriesId: number, spec: SweepSpec, key: string): Promise<LoadedBars> {
  const series = await getSeries(prisma, seriesId);
  if (!series) throw new Error(`bar series ${seriesId} does not exist`);
  const bars = await loadBars(prisma, seriesId, { from: spec.from, to: spec.to });
  return { key, bars: shareSeries(bars), dataHash: hashBars(bars), symbol: series.symbol, timeZone: series.timeZone };
}
