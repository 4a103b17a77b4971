/**
 * `npm run bench:sweep`: a 10,000-set parameter sweep over 5,000 bars, run by 1 and then 2
 * worker processes (one compute thread each) on a scratch database, through the real queue.
 * Prints runs/s for each and the scaling between them.
 *
 *   npm run bench:sweep -- [--sets 10000] [--bars 5000] [--chunk 100] [--processes 1,2] [--threads 1]
 *
 * Uses DATABASE_URL's server (default the local postgresql://postgres@127.0.0.1:5432/postgres).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { createScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { applyMigrations } from "@/lib/adapters/db/migrate";
import { DEFAULT_MIGRATIONS_DIR } from "@/lib/adapters/db/migration-files";
import { saveBars } from "@/lib/adapters/db/bar-store";
import { JobQueue } from "@/lib/adapters/jobs/queue";
import { createResearchService, type ResearchService } from "@/lib/services/research";
import { syntheticBars } from "./backtest";

const { values } = parseArgs({
  options: {
    sets: { type: "string", default: "10000" },
    bars: { type: "string", default: "5000" },
    chunk: { type: "string", default: "100" },
    processes: { type: "string", default: "1,2" },
    threads: { type: "string", default: "1" },
  },
});
const sets = Number(values.sets);
const barCount = Number(values.bars);
const chunkSize = Number(values.chunk);
const processCounts = values.processes.split(",").map(Number);
const threads = Number(values.threads);
const serverUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const quiet = { info: () => undefined, warn: () => undefined };

interface Measurement {
  readonly processes: number;
  readonly runs: number;
  /** CPU seconds the worker processes used (all their threads), from /proc. */
  readonly cpuSeconds: number;
  readonly computeSeconds: number;
  readonly runsPerSecond: number;
  readonly summarySeconds: number;
}

/** fast x slow grid with exactly `sets` valid pairs: fast 2..(1 + side), slow above every fast. */
function space(count: number) {
  const side = Math.ceil(Math.sqrt(count));
  return { fast: { from: 2, to: 1 + side, step: 1 }, slow: { from: side + 10, to: side + 9 + Math.ceil(count / side), step: 1 } };
}

/** Starts worker processes and resolves once each has said it is ready, so start-up is not timed. */
async function startWorkers(count: number, databaseUrl: string): Promise<ChildProcess[]> {
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, ["--import", "tsx", path.resolve("scripts/worker.ts"), "--threads", String(threads)], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "inherit"],
    }),
  );
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve, reject) => {
          child.once("exit", (code) => reject(new Error(`a worker exited with code ${code} before it was ready`)));
          child.stdout!.on("data", (chunk: Buffer) => {
            if (chunk.toString().includes("research worker ready")) resolve();
          });
        }),
    ),
  );
  return children;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a process and all its threads so far (Linux /proc). */
function cpuSecondsOf(child: ChildProcess): number {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map((child) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", () => resolve()), child.kill("SIGTERM"))))));
}

async function measure(research: ResearchService, prisma: PrismaClient, seriesId: number, processes: number, databaseUrl: string): Promise<Measurement> {
  const children = await startWorkers(processes, databaseUrl);
  const cpuAtStart = children.reduce((sum, child) => sum + cpuSecondsOf(child), 0);
  try {
    const sweep = await research.createSweep({
      name: `bench ${processes} process(es)`,
      strategy: "ma-cross",
      space: space(sets),
      seriesIds: [seriesId],
      validation: { mode: "none", holdoutFraction: 0 },
      settings: { fractional: true },
      chunkSize,
    });
    let progress = sweep;
    let lastReport = 0;
    while (progress.status !== "done" && progress.status !== "failed") {
      await new Promise((resolve) => setTimeout(resolve, 250));
      progress = (await research.progress(sweep.id))!;
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        process.stderr.write(`  ${processes} process(es): ${progress.chunksDone}/${progress.chunksTotal} chunks, ETA ${progress.etaSeconds ?? "?"} s\n`);
      }
    }
    if (progress.status === "failed") throw new Error(`sweep failed: ${progress.error}`);
    const cpuSeconds = children.reduce((sum, child) => sum + cpuSecondsOf(child), 0) - cpuAtStart;
    const chunks = await prisma.researchChunk.aggregate({ where: { sweepId: sweep.id }, _max: { finishedAt: true } });
    const row = await prisma.researchSweep.findUniqueOrThrow({ where: { id: sweep.id } });
    // From the sweep's creation (workers already idle and waiting) to its last chunk.
    const computeSeconds = (chunks._max.finishedAt!.getTime() - row.createdAt.getTime()) / 1000;
    return {
      processes,
      runs: sweep.runsTotal,
      cpuSeconds,
      computeSeconds,
      runsPerSecond: sweep.runsTotal / computeSeconds,
      summarySeconds: (row.finishedAt!.getTime() - chunks._max.finishedAt!.getTime()) / 1000,
    };
  } finally {
    await stop(children);
  }
}

async function main(): Promise<void> {
  const database = await createScratchDatabase(serverUrl, "kestrel_bench_sweep", { unique: true });
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  let queue: JobQueue | undefined;
  try {
    await applyMigrations({ databaseUrl: database.url, migrationsDir: DEFAULT_MIGRATIONS_DIR, log: quiet });
    queue = await JobQueue.start({ connectionString: database.url });
    const research = createResearchService({ prisma, queue, log: quiet, codeVersion: "bench" });
    const series = await saveBars(prisma, { symbol: "SYN", barSize: "1 day", source: "bench" }, syntheticBars(barCount));
    const loadBefore = loadavg().map((value) => value.toFixed(1)).join(" ");
    const results: Measurement[] = [];
    for (const processes of processCounts) results.push(await measure(research, prisma, series.id, processes, database.url));
    const loadAfter = loadavg().map((value) => value.toFixed(1)).join(" ");
    console.log(`sweep: ${sets.toLocaleString("en-US")} ma-cross parameter sets x ${barCount.toLocaleString("en-US")} bars, chunks of ${chunkSize}, ${threads} thread(s) per worker process`);
    for (const result of results) {
      console.log(
        `  ${result.processes} process(es): ${result.runsPerSecond.toFixed(1)} runs/s wall clock  (${result.computeSeconds.toFixed(1)} s for ${result.runs.toLocaleString("en-US")} runs; summary ${result.summarySeconds.toFixed(1)} s); ${(result.runs / result.cpuSeconds).toFixed(1)} runs per CPU second (${result.cpuSeconds.toFixed(1)} CPU s)`,
      );
    }
    const base = results.find((result) => result.processes === 1);
    for (const result of results.filter((entry) => entry.processes > 1 && base)) {
      const speedup = result.runsPerSecond / base!.runsPerSecond;
      // On a shared machine the wall-clock ratio mostly measures how busy the others were; the
      // work per CPU second shows what running in parallel costs, independent of that.
      const cpuEfficiency = result.runs / result.cpuSeconds / (base!.runs / base!.cpuSeconds);
      console.log(`  scaling ${result.processes} vs 1, wall clock: ${speedup.toFixed(2)}x  (efficiency ${((speedup / result.processes) * 100).toFixed(0)}%; target >= 1.8x for 2)`);
      console.log(
        `  scaling ${result.processes} vs 1, from CPU time: ${(result.processes * cpuEfficiency).toFixed(2)}x on ${result.processes} idle cores  (work per CPU second ${(cpuEfficiency * 100).toFixed(0)}% of one process's)`,
      );
    }
    console.log(`  load average (1/5/15 min): before ${loadBefore}, after ${loadAfter}`);
  } finally {
    await queue?.stop({ timeoutMs: 1_000 });
    await prisma.$disconnect();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
