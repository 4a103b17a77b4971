import { availableParallelism, loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { runBacktest } from "@/lib/core/backtest/run";
import { sweepGrid, type SweepCombination, type SweepRow } from "@/lib/core/backtest/sweep";
import type { BarSeries } from "@/lib/core/data/bars";
import { syntheticDailyBars } from "@/lib/core/data/synthetic-bars";
import { defineInstrument } from "@/lib/core/model/instrument";
import { createGoldenCross } from "@/lib/core/strategies/golden-cross";
import { bestTimes } from "./timing";

export interface BacktestBenchResult {
  readonly bars: number;
  readonly backtestSeconds: number;
  /** Timed runs of the backtest and of the plain loop each (the best counts). */
  readonly repeats: number;
  readonly backtestBarsPerSecond: number;
  readonly plainSmaBarsPerSecond: number;
  readonly ratioToPlainLoop: number;
  /** The same ratio in CPU time of the process, less sensitive to other work on the machine. */
  readonly cpuRatioToPlainLoop: number;
  readonly tradeCount: number;
  readonly loadAverage: number;
  readonly sweepCombinations: number;
  readonly sweepBars: number;
  readonly sweepWorkers: number;
  readonly sweepSeconds: number;
  /** Seconds each worker spent computing its rows (excludes thread start and module loading). */
  readonly sweepWorkerSeconds: readonly number[];
  /** CPU time of the whole process while the sweep ran: both workers, thread start included. */
  readonly sweepCpuSeconds: number;
  readonly sweepSpotChecks: number;
  readonly sweepLoadAverage: number;
}

function prefix(bars: BarSeries, length: number): BarSeries {
  const cut = (column: Float64Array) => column.subarray(0, length);
  return { length, time: cut(bars.time), open: cut(bars.open), high: cut(bars.high), low: cut(bars.low), close: cut(bars.close), volume: cut(bars.volume) };
}

/** The bench's daily bars: a seeded geometric random walk with consistent OHLC. */
export function syntheticBars(length: number, seed = 42): BarSeries {
  // Gentle mean reversion keeps ten million steps within a sane range.
  return { symbol: "SYN", ...syntheticDailyBars(length, { seed, start: Date.UTC(2000, 0, 1), meanReversion: 0.001 }) };
}

/** The floor: two rolling-sum SMAs and a comparison per bar, nothing else. */
function plainSmaLoop(close: Float64Array, fast: number, slow: number): number {
  let fastSum = 0;
  let slowSum = 0;
  let longBars = 0;
  for (let i = 0; i < close.length; i++) {
    fastSum += close[i] - (i >= fast ? close[i - fast] : 0);
    slowSum += close[i] - (i >= slow ? close[i - slow] : 0);
    if (i >= slow - 1 && fastSum / fast > slowSum / slow) longBars++;
  }
  return longBars;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function shareColumns(bars: BarSeries) {
  const share = (source: Float64Array) => {
    const shared = new Float64Array(new SharedArrayBuffer(source.byteLength));
    shared.set(source);
    return shared;
  };
  return { time: share(bars.time), open: share(bars.open), high: share(bars.high), low: share(bars.low), close: share(bars.close), volume: share(bars.volume) };
}

interface WorkerReply {
  readonly rows: SweepRow[];
  readonly seconds: number;
}

async function runParallelSweep(bars: BarSeries, combinations: SweepCombination[], workers: number): Promise<WorkerReply[]> {
  const columns = shareColumns(bars);
  const workerUrl = new URL("./sweep-worker-entry.mjs", import.meta.url);
  // Interleaved shares: neighbouring combinations cost about the same, so each worker gets as much work.
  const shares = Array.from({ length: workers }, (_, index) => combinations.filter((_, position) => position % workers === index));
  return Promise.all(
    shares.map(
      (share) =>
        new Promise<WorkerReply>((resolve, reject) => {
          const worker = new Worker(workerUrl, { workerData: { columns, combinations: share, settings: SWEEP_SETTINGS } });
          worker.once("message", resolve);
          worker.once("error", reject);
        }),
    ),
  );
}

const SWEEP_SETTINGS = { fill: "close", mode: "state", longOnly: true, fractional: true, initialCapital: 100_000 } as const;

/** Re-runs a few rows as full engine backtests: the sweep must give the same numbers. */
function spotCheck(bars: BarSeries, rows: readonly SweepRow[], instrument: ReturnType<typeof defineInstrument>): number {
  const sample = [0, 1, Math.floor(rows.length / 3), Math.floor(rows.length / 2), rows.length - 1];
  for (const index of sample) {
    const row = rows[index];
    const strategy = createGoldenCross({ fast: row.fast, slow: row.slow, mode: SWEEP_SETTINGS.mode, longOnly: SWEEP_SETTINGS.longOnly });
    const { metrics } = runBacktest({ ...SWEEP_SETTINGS, bars, instrument, strategy });
    const expected = { fast: row.fast, slow: row.slow, finalCapital: metrics.finalCapital, sharpe: metrics.sharpe, maxDrawdown: metrics.maxDrawdown, tradeCount: metrics.tradeCount };
    if (JSON.stringify(row) !== JSON.stringify(expected)) throw new Error(`sweep row ${JSON.stringify(row)} differs from the full backtest ${JSON.stringify(expected)}`);
  }
  return sample.length;
}

export async function runBacktestBench(options: { bars?: number; sweepBars?: number; workers?: number; repeats?: number } = {}): Promise<BacktestBenchResult> {
  const barCount = options.bars ?? 10_000_000;
  const repeats = options.repeats ?? 5;
  const bars = syntheticBars(barCount);
  const warmUp = prefix(bars, Math.min(barCount, 100_000));
  const instrument = defineInstrument({ symbol: "SYN", timeZone: "UTC" });
  const loadAverage = loadavg()[0];

  let tradeCount = 0;
  const backtest = (series: BarSeries) => {
    const result = runBacktest({ bars: series, instrument, strategy: createGoldenCross(), initialCapital: 100_000, fill: "close", fractional: true });
    tradeCount = result.metrics.tradeCount;
  };
  const [plain, full] = bestTimes((series: BarSeries) => plainSmaLoop(series.close, 50, 200), backtest, bars, warmUp, repeats);

  const sweepBars = syntheticBars(options.sweepBars ?? 5_000, 7);
  const combinations = sweepGrid(range(2, 101), range(20, 221)).slice(0, 10_000);
  const workers = options.workers ?? Math.min(2, availableParallelism());
  const sweepLoadAverage = loadavg()[0];
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const replies = await runParallelSweep(sweepBars, combinations, workers);
  const sweepSeconds = seconds(start);
  const sweepCpu = process.cpuUsage(cpuStart);
  const rows = replies.flatMap((reply) => reply.rows);
  if (rows.length !== combinations.length) throw new Error(`sweep returned ${rows.length} rows for ${combinations.length} combinations`);

  return {
    bars: barCount,
    backtestSeconds: full.wallMs / 1000,
    repeats,
    backtestBarsPerSecond: barCount / (full.wallMs / 1000),
    plainSmaBarsPerSecond: barCount / (plain.wallMs / 1000),
    ratioToPlainLoop: plain.wallMs / full.wallMs,
    cpuRatioToPlainLoop: plain.cpuMs / full.cpuMs,
    tradeCount,
    loadAverage,
    sweepCombinations: combinations.length,
    sweepBars: sweepBars.length,
    sweepWorkers: workers,
    sweepSeconds,
    sweepWorkerSeconds: replies.map((reply) => reply.seconds),
    sweepCpuSeconds: (sweepCpu.user + sweepCpu.system) / 1e6,
    sweepSpotChecks: spotCheck(sweepBars, rows, instrument),
    sweepLoadAverage,
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, index) => from + index);
}

export function formatBacktestBench(result: BacktestBenchResult): string {
  const rate = (value: number) => `${(value / 1e6).toFixed(2)} M bars/s`;
  return [
    `golden-cross 50/200 backtest, ${result.bars.toLocaleString("en-US")} synthetic daily bars (fill at close, all-in, ${result.tradeCount} trades), load average ${result.loadAverage.toFixed(2)}`,
    `  full backtest   ${rate(result.backtestBarsPerSecond)}  (${result.backtestSeconds.toFixed(2)} s, best of ${result.repeats} runs after a warm-up, alternating with the plain loop's)`,
    `  plain SMA loop  ${rate(result.plainSmaBarsPerSecond)}`,
    `  ratio           ${result.ratioToPlainLoop.toFixed(3)}x wall time, ${result.cpuRatioToPlainLoop.toFixed(3)}x CPU time  (target >= 0.10x)`,
    `sweep: ${result.sweepCombinations.toLocaleString("en-US")} (fast, slow) combinations x ${result.sweepBars.toLocaleString("en-US")} bars on ${result.sweepWorkers} worker threads, load average ${result.sweepLoadAverage.toFixed(2)}`,
    `  ${result.sweepSeconds.toFixed(2)} s wall, thread start included  (target < 10 s); computing in the workers: ${result.sweepWorkerSeconds.map((value) => `${value.toFixed(2)} s`).join(", ")}`,
    `  ${result.sweepCpuSeconds.toFixed(2)} CPU seconds in all (both workers, thread start included)`,
    `  ${result.sweepSpotChecks} rows re-run as full engine backtests: equal`,
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const bars = process.argv.includes("--bars") ? Number(process.argv[process.argv.indexOf("--bars") + 1]) : undefined;
  runBacktestBench({ bars }).then(
    (result) => console.log(formatBacktestBench(result)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
