import type { Logger } from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { getSeries, hashBars, loadBars } from "@/lib/adapters/db/bar-store";
import type { JobQueue } from "@/lib/adapters/jobs/queue";
import { shareSeries, type ThreadPool } from "@/lib/adapters/jobs/thread-pool";
import type { BarSeries } from "@/lib/core/data/bars";
import { buildRunSettings, evaluateHoldout, judgeSweep, validationPlan, type RunEvaluation, type RunOutcome } from "@/lib/core/research";
import { CHUNK_QUEUE, FINALIZE_QUEUE, finalizeJobId, queuePolicy, runKey, type ChunkJob, type FinalizeJob } from "./queues";
import type { SweepSpec } from "./spec";

export interface ResearchWorkerOptions {
  readonly prisma: PrismaClient;
  readonly queue: JobQueue;
  readonly pool: ThreadPool;
  readonly log: Pick<Logger, "info" | "warn" | "error">;
  /** Names this process in the results (host and pid). */
  readonly workerName: string;
  readonly codeVersion: string;
  /** Chunks this process works on at once; defaults to the pool's thread count. */
  readonly concurrency?: number;
  readonly expireInSeconds?: number;
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
export async function startResearchWorker(options: ResearchWorkerOptions): Promise<void> {
  const { prisma, queue, pool, log } = options;
  const specs = new Map<number, Promise<SweepSpec>>();
  const barsCache = new Map<string, Promise<LoadedBars>>();

  const specOf = (sweepId: number) => {
    if (!specs.has(sweepId)) {
      specs.set(
        sweepId,
        prisma.researchSweep.findUniqueOrThrow({ where: { id: sweepId }, select: { spec: true } }).then((row) => row.spec as unknown as SweepSpec),
      );
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

  queue.work<ChunkJob>(CHUNK_QUEUE, options.concurrency ?? pool.size, async ({ data: job }) => {
    const status = await prisma.researchSweep.findUnique({ where: { id: job.sweepId }, select: { status: true } });
    if (!status || status.status === "cancelled" || status.status === "failed") return;
    const spec = await specOf(job.sweepId);
    const loaded = await barsOf(job.seriesId, spec);
    await prisma.researchSweep.updateMany({ where: { id: job.sweepId, startedAt: null }, data: { startedAt: new Date(), status: "running" } });
    const parameters = spec.parameterSets.slice(job.paramStart, job.paramEnd);
    const evaluations = await pool.run(loaded.key, loaded.bars, { strategy: spec.strategy, parameters, settings: spec.settings, series: loaded, validation: spec.validation });
    await writeChunk(job, evaluations, spec, loaded);
    await finalizeWhenComplete(job.sweepId);
  });

  queue.work<FinalizeJob>(FINALIZE_QUEUE, 1, async ({ data }) => {
    await finalize(data.sweepId).catch(async (error: unknown) => {
      log.error({ err: error, sweep: data.sweepId }, "sweep summary failed");
      const message = error instanceof Error ? error.message : String(error);
      await prisma.researchSweep.update({ where: { id: data.sweepId }, data: { status: "failed", error: message, finishedAt: new Date() } });
    });
  });
  await pool.ready();
  log.info({ worker: options.workerName, threads: pool.size }, "research worker ready");

  async function writeChunk(job: ChunkJob, evaluations: RunEvaluation[], spec: SweepSpec, loaded: LoadedBars): Promise<void> {
    const rows = evaluations.map((evaluation, offset) => {
      const paramIndex = job.paramStart + offset;
      const { metrics } = evaluation;
      return {
        sweepId: job.sweepId,
        runKey: runKey(job.sweepId, paramIndex, job.seriesId),
        paramIndex,
        parameters: spec.parameterSets[paramIndex],
        seriesId: job.seriesId,
        sharpe: metrics.sharpe,
        totalReturn: metrics.totalReturn,
        maxDrawdown: metrics.maxDrawdown,
        tradeCount: metrics.tradeCount,
        oosSharpe: evaluation.oosSharpe,
        metrics: finite(metrics),
        walkForward: evaluation.windows.map(finite),
        blocks: evaluation.blocks.map(finite),
        equity: evaluation.equity.map((point) => [...point]),
        dataHash: loaded.dataHash,
        codeVersion: options.codeVersion,
      };
    });
    await prisma.$transaction([
      prisma.researchRun.createMany({ data: rows, skipDuplicates: true }),
      prisma.researchChunk.createMany({ data: [{ sweepId: job.sweepId, chunk: job.chunk, runs: rows.length, worker: options.workerName }], skipDuplicates: true }),
    ]);
  }

  async function finalizeWhenComplete(sweepId: number): Promise<void> {
    const [sweep, done] = await Promise.all([
      prisma.researchSweep.findUniqueOrThrow({ where: { id: sweepId }, select: { totalChunks: true } }),
      prisma.researchChunk.count({ where: { sweepId } }),
    ]);
    if (done >= sweep.totalChunks) await queue.sendAll<FinalizeJob>(FINALIZE_QUEUE, [{ id: finalizeJobId(sweepId), data: { sweepId } }]);
  }

  async function finalize(sweepId: number): Promise<void> {
    const sweep = await prisma.researchSweep.findUniqueOrThrow({ where: { id: sweepId } });
    if (sweep.status === "done" || sweep.status === "cancelled") return;
    const spec = await specOf(sweepId);
    const perSeries = [];
    for (const seriesId of spec.seriesIds) {
      const rows = await prisma.researchRun.findMany({
        where: { sweepId, seriesId },
        orderBy: { paramIndex: "asc" },
        select: { paramIndex: true, parameters: true, sharpe: true, blocks: true, walkForward: true, oosSharpe: true },
      });
      const outcomes: RunOutcome[] = rows.map((row) => ({
        paramIndex: row.paramIndex,
        parameters: row.parameters as RunOutcome["parameters"],
        sharpe: row.sharpe,
        blocks: row.blocks as unknown as RunOutcome["blocks"],
        windows: row.walkForward as unknown as RunOutcome["windows"],
      }));
      const verdict = judgeSweep(outcomes, spec.search.kind === "grid" ? spec.space : null);
      const loaded = await barsOf(seriesId, spec);
      const holdout = verdict.chosen
        ? evaluateHoldout(loaded.bars, spec.strategy, verdict.chosen.parameters, buildRunSettings(spec.settings, loaded), validationPlan(loaded.bars.length, spec.validation))
        : null;
      const chosenRow = rows.find((row) => row.paramIndex === verdict.chosen?.paramIndex);
      perSeries.push({ seriesId, symbol: loaded.symbol, verdict, chosenOosSharpe: chosenRow?.oosSharpe ?? null, holdout: holdout && finite(holdout) });
    }
    await prisma.researchSweep.update({ where: { id: sweepId }, data: { status: "done", summary: JSON.parse(JSON.stringify(perSeries)), finishedAt: new Date() } });
    log.info({ sweep: sweepId }, "sweep done");
  }
}

async function loadShared(prisma: PrismaClient, seriesId: number, spec: SweepSpec, key: string): Promise<LoadedBars> {
  const series = await getSeries(prisma, seriesId);
  if (!series) throw new Error(`bar series ${seriesId} does not exist`);
  const bars = await loadBars(prisma, seriesId, { from: spec.from, to: spec.to });
  return { key, bars: shareSeries(bars), dataHash: hashBars(bars), symbol: series.symbol, timeZone: series.timeZone };
}

/** JSON has no Infinity or NaN: they are stored as null. */
function finite<T extends object>(value: T): Record<string, number | null> {
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, typeof entry === "number" && Number.isFinite(entry) ? entry : null]));
}
