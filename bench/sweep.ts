/**
 * `npm run bench:sweep`: a 10,000-set parameter sweep over 5,000 bars, run by 1 and then 2
 * worker processes (one compute thread each) on a scratch database, through the real queue.
 * Prints runs/s for each and the scaling between them.
 *
 *   npm run bench:sweep -- [--sets 10000] [--bars 5000] [--chunk auto|N] [--processes 1,2] [--threads 1] [--warm-up 0] [--rounds 3] [--walk-forward TRAIN,TEST]
 *
 * `--walk-forward 1000,250` validates every run on rolling windows of 1,000 training and 250 test
 * bars, as a sweep with walk-forward validation does; by default the runs have no windows.
 *
 * Each process count is measured `--rounds` times, the counts alternating from round to round
 * (1 2, 2 1, 1 2, ...), and the best of each count's rounds is reported and compared: a sweep
 * takes a second or two, and on a shared machine one measurement of each mostly compares how
 * busy the machine was during each.
 *
 * Fresh worker processes spend their first second or so of work compiling hot code (V8's
 * optimising compiler runs on helper threads): about 0.6-0.8 CPU s per process, whatever the
 * sweep's size, which a long-running worker pays once. `--warm-up N` has the workers run an
 * untimed N-set sweep first, so the timed one measures workers as they run after their first
 * sweep (their logged per-chunk timings then include the warm-up's chunks). The default, 0,
 * times fresh workers.
 *
 * Besides runs/s it prints the CPU the runs cost (worker processes, the Postgres backends serving
 * the bench database, and the bench itself, up to the last chunk: the summary is not included)
 * and, per worker, how long its compute threads were busy and how long each chunk's steps took.
 *
 * Uses DATABASE_URL's server (default the local postgresql://postgres@127.0.0.1:5432/postgres).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { createScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { applyMigrations } from "@/lib/adapters/db/migrate";
import { DEFAULT_MIGRATIONS_DIR } from "@/lib/adapters/db/migration-files";
import { saveBars } from "@/lib/adapters/db/bar-store";
import { JobQueue, type WorkTimings } from "@/lib/adapters/jobs/queue";
import { CHUNK_QUEUE, createResearchService, type ChunkTimings, type ResearchService } from "@/lib/services/research";

import { syntheticBars } from "./backtest";

const { values } = parseArgs({
  options: {
    sets: { type: "string", default: "10000" },
    bars: { type: "string", default: "5000" },
    chunk: { type: "string", default: "auto" },
    processes: { type: "string", default: "1,2" },
    threads: { type: "string", default: "1" },
    "warm-up": { type: "string", default: "0" },
    rounds: { type: "string", default: "3" },
    "walk-forward": { type: "string" },
  },
});
const sets = Number(values.sets);
const barCount = Number(values.bars);
const chunkSize = values.chunk === "auto" ? undefined : Number(values.chunk);
const processCounts = values.processes.split(",").map(Number);
const threadCount = Number(values.threads);
const warmUpSets = Number(values["warm-up"]);
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a whole number >= 1, got ${values.rounds}`);
const validation = walkForward(values["walk-forward"]);
const cores = availableParallelism();
const serverUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const quiet = { info: () => undefined, warn: () => undefined };

interface WorkerTimings {
  readonly chunks: ChunkTimings;
  readonly queue: WorkTimings | undefined;
}

interface Measurement {
  readonly processes: number;
  readonly runs: number;
  readonly chunks: number;
  /** CPU seconds the worker processes used (all their threads) up to the last chunk, from /proc. */
  readonly cpuSeconds: number;
  /** The same, by thread role, summed over the processes. */
  readonly threadCpuSeconds: ThreadSplit;
  /** CPU seconds of the Postgres backends serving the bench database. */
  readonly postgresCpuSeconds: number;
  /** CPU seconds of this process after the sweep was created: polling its progress, its own queue client. */
  readonly benchCpuSeconds: number;
  /** CPU seconds this process took to create the sweep (before the runs; not in the totals). */
  readonly createCpuSeconds: number;
  readonly computeSeconds: number;
  readonly runsPerSecond: number;
  readonly summarySeconds: number;
  readonly workers: (WorkerTimings | undefined)[];
}

function walkForward(option: string | undefined) {
  if (option === undefined) return { mode: "none", holdoutFraction: 0 } as const;
  const [trainBars, testBars] = option.split(",").map(Number);
  if (!(Number.isInteger(trainBars) && trainBars > 0 && Number.isInteger(testBars) && testBars > 0)) {
    throw new Error(`--walk-forward must be TRAIN,TEST bar counts such as 1000,250, got ${option}`);
  }
  return { mode: "rolling", trainBars, testBars, holdoutFraction: 0 } as const;
}

/** fast x slow grid with exactly `sets` valid pairs: fast 2..(1 + side), slow above every fast. */
function space(count: number) {
  const side = Math.ceil(Math.sqrt(count));
  return { fast: { from: 2, to: 1 + side, step: 1 }, slow: { from: side + 10, to: side + 9 + Math.ceil(count / side), step: 1 } };
}

interface WorkerProcess {
  readonly child: ChildProcess;
  /** The worker's log lines (pino JSON), for its closing timings. */
  readonly lines: string[];
}

/** Starts worker processes and resolves once each has said it is ready, so start-up is not timed. */
async function startWorkers(count: number, databaseUrl: string): Promise<WorkerProcess[]> {
  const workers = Array.from({ length: count }, () => {
    // As `npm run worker` starts it.
    const child = spawn(process.execPath, ["--single-threaded-gc", "--import", "tsx", path.resolve("scripts/worker.ts"), "--threads", String(threadCount)], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines: string[] = [];
    let partial = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const complete = text.split("\n");
      partial = complete.pop()!;
      lines.push(...complete);
    });
    return { child, lines };
  });
  await Promise.all(
    workers.map(
      ({ child }) =>
        new Promise<void>((resolve, reject) => {
          child.once("exit", (code) => reject(new Error(`a worker exited with code ${code} before it was ready`)));
          child.stdout!.on("data", (chunk: Buffer) => {
            if (chunk.toString().includes("research worker ready")) resolve();
          });
        }),
    ),
  );
  return workers;
}

/** The timings a worker logs as it stops. */
function timingsOf(worker: WorkerProcess): WorkerTimings | undefined {
  const line = worker.lines.find((entry) => entry.includes("research worker timings"));
  if (!line) return undefined;
  const logged = JSON.parse(line) as { chunks: ChunkTimings; queue: Record<string, WorkTimings> };
  return { chunks: logged.chunks, queue: logged.queue[CHUNK_QUEUE] };
}

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a process and all its threads so far (Linux /proc). */
function cpuSecondsOf(pid: number | undefined, statFile = `/proc/${pid}/stat`): number {
  try {
    const fields = readFileSync(statFile, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds so far of each thread of a process, by thread id. */
function threadCpuSeconds(pid: number | undefined): Map<string, number> {
  const byThread = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) byThread.set(tid, cpuSecondsOf(pid, `/proc/${pid}/task/${tid}/stat`));
  } catch {
    // The process has gone.
  }
  return byThread;
}

interface ThreadSplit {
  /** The main thread (the queue, the database, the results' JSON). */
  readonly main: number;
  /** The busiest `count` other threads: the compute threads. */
  readonly compute: number;
  /** The rest: V8's garbage collection helpers, libuv's pool. */
  readonly helpers: number;
}

/** CPU seconds since `before` of a process's threads, split by role. */
function splitThreadCpu(pid: number | undefined, before: Map<string, number>, after: Map<string, number>, count: number): ThreadSplit {
  const delta = (tid: string) => (after.get(tid) ?? 0) - (before.get(tid) ?? 0);
  const others = [...after.keys()].filter((tid) => tid !== String(pid)).map(delta).sort((a, b) => b - a);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return { main: delta(String(pid)), compute: sum(others.slice(0, count)), helpers: sum(others.slice(count)) };
}

const ownCpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

/**
 * CPU of the Postgres backends serving the bench database (the workers', the queue's and the
 * bench's own connections, autovacuum on its tables): their pids are sampled while the sweep
 * runs, and a backend first seen after the start counts from zero.
 */
class PostgresCpu {
  private readonly atStart = new Map<number, number>();
  private readonly latest = new Map<number, number>();

  private constructor(private readonly prisma: PrismaClient) {}

  static async start(prisma: PrismaClient): Promise<PostgresCpu> {
    const meter = new PostgresCpu(prisma);
    for (const pid of await meter.backends()) {
      const seconds = cpuSecondsOf(pid);
      if (Number.isFinite(seconds)) meter.atStart.set(pid, seconds);
    }
    return meter;
  }

  private async backends(): Promise<number[]> {
    const rows = await this.prisma.$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`;
    return rows.map((row) => row.pid);
  }

  async sample(): Promise<void> {
    for (const pid of await this.backends()) {
      const seconds = cpuSecondsOf(pid);
      if (Number.isFinite(seconds)) this.latest.set(pid, seconds);
    }
  }

  /** CPU seconds since the start, as of the last sample. */
  seconds(): number {
    let total = 0;
    for (const [pid, seconds] of this.latest) total += seconds - (this.atStart.get(pid) ?? 0);
    return total;
  }
}

async function stop(workers: WorkerProcess[]): Promise<void> {
  await Promise.all(
    workers.map(({ child }) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", () => resolve()), child.kill("SIGTERM"))))),
  );
}

/** The same sweep, smaller and in small chunks so that every worker gets some, run to its end (summary included). */
async function warmUp(research: ResearchService, seriesId: number, processes: number): Promise<void> {
  const sweep = await research.createSweep({
    name: `warm-up ${processes} process(es)`,
    strategy: "ma-cross",
    space: space(warmUpSets),
    seriesIds: [seriesId],
    validation,
    settings: { fractional: true },
    chunkSize: Math.max(1, Math.ceil(warmUpSets / (10 * processes))),
  });
  let progress = sweep;
  while (progress.status !== "done" && progress.status !== "failed") {
    await new Promise((resolve) => setTimeout(resolve, 100));
    progress = (await research.progress(sweep.id))!;
  }
  if (progress.status === "failed") throw new Error(`warm-up sweep failed: ${progress.error}`);
}

async function measure(research: ResearchService, prisma: PrismaClient, seriesId: number, processes: number, databaseUrl: string): Promise<Measurement> {
  const workers = await startWorkers(processes, databaseUrl);
  if (warmUpSets > 0) await warmUp(research, seriesId, processes).catch(async (error: unknown) => (await stop(workers), Promise.reject(error)));
  const workerCpu = () => workers.reduce((sum, { child }) => sum + cpuSecondsOf(child.pid), 0);
  const postgres = await PostgresCpu.start(prisma);
  const cpuAtStart = workerCpu();
  const threadsAtStart = workers.map(({ child }) => threadCpuSeconds(child.pid));
  let benchCpuAtStart = ownCpuSeconds();
  let measured: Omit<Measurement, "workers"> | undefined;
  try {
    const sweep = await research.createSweep({
      name: `bench ${processes} process(es)`,
      strategy: "ma-cross",
      space: space(sets),
      seriesIds: [seriesId],
      validation,
      settings: { fractional: true },
      chunkSize,
    });
    // Creating the sweep (expanding and storing 10,000 parameter sets) is the web side's work: reported apart from the polling.
    const createCpuSeconds = ownCpuSeconds() - benchCpuAtStart;
    benchCpuAtStart += createCpuSeconds;
    let progress = sweep;
    let lastReport = 0;
    let lastSample = 0;
    let cpu: { workers: number; threads: ThreadSplit; postgres: number; bench: number } | undefined;
    while (progress.status !== "done" && progress.status !== "failed") {
      // Close to the end, poll often, so the CPU is read when the last chunk is in and before the summary starts.
      const nearEnd = progress.chunksTotal - progress.chunksDone <= 2 * processes;
      await new Promise((resolve) => setTimeout(resolve, nearEnd ? 20 : 250));
      progress = (await research.progress(sweep.id))!;
      if (!cpu && progress.chunksDone >= progress.chunksTotal) {
        await postgres.sample();
        const threads = workers
          .map(({ child }, index) => splitThreadCpu(child.pid, threadsAtStart[index], threadCpuSeconds(child.pid), threadCount))
          .reduce((sum, split) => ({ main: sum.main + split.main, compute: sum.compute + split.compute, helpers: sum.helpers + split.helpers }));
        cpu = { workers: workerCpu() - cpuAtStart, threads, postgres: postgres.seconds(), bench: ownCpuSeconds() - benchCpuAtStart };
      }
      if (performance.now() - lastSample > 1_000) {
        lastSample = performance.now();
        await postgres.sample();
      }
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        process.stderr.write(`  ${processes} process(es): ${progress.chunksDone}/${progress.chunksTotal} chunks, ETA ${progress.etaSeconds ?? "?"} s\n`);
      }
    }
    if (progress.status === "failed" || !cpu) throw new Error(`sweep failed: ${progress.error}`);
    const chunks = await prisma.researchChunk.aggregate({ where: { sweepId: sweep.id }, _max: { finishedAt: true }, _count: true });
    const row = await prisma.researchSweep.findUniqueOrThrow({ where: { id: sweep.id } });
    // From the sweep's creation (workers already idle and waiting) to its last chunk.
    const computeSeconds = (chunks._max.finishedAt!.getTime() - row.createdAt.getTime()) / 1000;
    measured = {
      processes,
      runs: sweep.runsTotal,
      chunks: chunks._count,
      cpuSeconds: cpu.workers,
      threadCpuSeconds: cpu.threads,
      postgresCpuSeconds: cpu.postgres,
      benchCpuSeconds: cpu.bench,
      createCpuSeconds,
      computeSeconds,
      runsPerSecond: sweep.runsTotal / computeSeconds,
      summarySeconds: (row.finishedAt!.getTime() - chunks._max.finishedAt!.getTime()) / 1000,
    };
  } finally {
    await stop(workers);
  }
  return { ...measured, workers: workers.map(timingsOf) };
}

/**
 * The runs/s a measurement's CPU times allow on `cores` otherwise idle cores: each process's
 * compute threads can use at most one core each, and everything (workers, Postgres, bench)
 * together at most all of them.
 */
function idleCoreRate(result: Measurement, cores: number): number {
  const total = result.cpuSeconds + result.postgresCpuSeconds + result.benchCpuSeconds;
  const computeBound = result.threadCpuSeconds.compute / Math.min(cores, result.processes * threadCount);
  return result.runs / Math.max(computeBound, total / cores);
}

function report(result: Measurement): void {
  const perTenThousand = 10_000 / result.runs;
  const total = result.cpuSeconds + result.postgresCpuSeconds + result.benchCpuSeconds;
  console.log(
    `  ${result.processes} process(es): ${result.runsPerSecond.toFixed(1)} runs/s wall clock  (${result.computeSeconds.toFixed(1)} s for ${result.runs.toLocaleString("en-US")} runs in ${result.chunks} chunks; summary ${result.summarySeconds.toFixed(1)} s); ${(result.runs / result.cpuSeconds).toFixed(1)} runs per CPU second (${result.cpuSeconds.toFixed(1)} CPU s)`,
  );
  console.log(
    `    CPU per 10,000 runs: ${(total * perTenThousand).toFixed(2)} s = workers ${(result.cpuSeconds * perTenThousand).toFixed(2)} (compute threads ${(result.threadCpuSeconds.compute * perTenThousand).toFixed(2)}, main ${(result.threadCpuSeconds.main * perTenThousand).toFixed(2)}, helpers ${(result.threadCpuSeconds.helpers * perTenThousand).toFixed(2)}) + Postgres ${(result.postgresCpuSeconds * perTenThousand).toFixed(2)} + bench ${(result.benchCpuSeconds * perTenThousand).toFixed(2)}; creating the sweep ${result.createCpuSeconds.toFixed(2)} s`,
  );
  result.workers.forEach((timings, index) => {
    if (!timings) return console.log(`    worker ${index + 1}: no timings logged`);
    const { chunks, queue } = timings;
    const computing = chunks.computeMs / 1000;
    const idle = Math.max(0, result.computeSeconds - computing);
    const perChunk = (ms: number | undefined) => (ms === undefined ? "?" : (ms / Math.max(1, chunks.chunks)).toFixed(1));
    console.log(
      `    worker ${index + 1}: ${chunks.chunks} chunks, ${chunks.runs.toLocaleString("en-US")} runs; threads computing ${computing.toFixed(2)} s, idle ${idle.toFixed(2)} s of ${result.computeSeconds.toFixed(2)} s; ` +
        `per chunk (ms): fetch ${perChunk(queue?.fetchMs)}, prepare ${perChunk(chunks.prepareMs)}, compute ${perChunk(chunks.computeMs)}, write ${perChunk(chunks.writeMs)}, complete ${perChunk(queue?.completeMs)}`,
    );
  });
}

/** The measurement with the most runs/s. */
function bestOf(results: readonly Measurement[]): Measurement {
  return results.reduce((best, result) => (result.runsPerSecond > best.runsPerSecond ? result : best));
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
    const measured: Measurement[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? processCounts : [...processCounts].reverse();
      for (const processes of order) measured.push(await measure(research, prisma, series.id, processes, database.url));
    }
    const results = processCounts.map((processes) => bestOf(measured.filter((result) => result.processes === processes)));
    const loadAfter = loadavg().map((value) => value.toFixed(1)).join(" ");
    const warmedUp = warmUpSets > 0 ? `, workers warmed up by an untimed ${warmUpSets.toLocaleString("en-US")}-set sweep` : ", fresh workers";
    console.log(
      `sweep: ${sets.toLocaleString("en-US")} ma-cross parameter sets x ${barCount.toLocaleString("en-US")} bars, ${validation.mode === "none" ? "no walk-forward windows" : `rolling windows of ${validation.trainBars} + ${validation.testBars} bars`}, ${chunkSize === undefined ? "chunks sized by the service" : `chunks of ${chunkSize}`}, ${threadCount} thread(s) per worker process${warmedUp}`,
    );
    for (const processes of processCounts) {
      const all = measured.filter((result) => result.processes === processes).map((result) => result.runsPerSecond.toFixed(0));
      console.log(`  ${processes} process(es), runs/s wall clock in each of ${rounds} round(s): ${all.join(", ")}`);
    }
    console.log("  the best round of each:");
    results.forEach(report);
    const base = results.find((result) => result.processes === 1);
    for (const result of results.filter((entry) => entry.processes > 1 && base)) {
      const speedup = result.runsPerSecond / base!.runsPerSecond;
      console.log(`  scaling ${result.processes} vs 1, wall clock: ${speedup.toFixed(2)}x  (efficiency ${((speedup / result.processes) * 100).toFixed(0)}%; target >= 1.8x for 2)`);
      // On a shared machine the wall-clock ratio mostly measures how busy the others were; CPU time does not.
      const [one, many] = [idleCoreRate(base!, cores), idleCoreRate(result, cores)];
      const threadEfficiency = result.runs / result.threadCpuSeconds.compute / (base!.runs / base!.threadCpuSeconds.compute);
      console.log(
        `  scaling ${result.processes} vs 1, from CPU time on ${cores} idle cores: ${(many / one).toFixed(2)}x  (${one.toFixed(0)} vs ${many.toFixed(0)} runs/s at most; compute threads' work per CPU second ${(threadEfficiency * 100).toFixed(0)}% of one process's)`,
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
