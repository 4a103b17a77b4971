import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { runBacktest } from "@/lib/core/backtest/run";
import { sweepGrid, type SweepCombination, type SweepRow } from "@/lib/core/backtest/sweep";
import type { BarSeries } from "@/lib/core/data/bars";
import { defineInstrument } from "@/lib/core/model/instrument";
import { createGoldenCross } from "@/lib/core/strategies/golden-cross";

export interface BacktestBenchResult {
  readonly bars: number;
  readonly backtestSeconds: number;
  readonly backtestBarsPerSecond: number;
  readonly plainSmaBarsPerSecond: number;
  readonly ratioToPlainLoop: number;
  readonly tradeCount: number;
  readonly sweepCombinations: number;
  readonly sweepBars: number;
  readonly sweepWorkers: number;
  readonly sweepSeconds: number;
}

const DAY_MS = 86_400_000;

/** A seeded geometric random walk with consistent OHLC, one bar a day. */
export function syntheticBars(length: number, seed = 42): BarSeries {
  const columns = { time: new Float64Array(length), open: new Float64Array(length), high: new Float64Array(length), low: new Float64Array(length), close: new Float64Array(length), volume: new Float64Array(length) };
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let price = 100;
  for (let i = 0; i < length; i++) {
    const open = price;
    // Mean-reverting log price keeps ten million steps within a sane range.
    const drift = -0.001 * Math.log(price / 100);
    price = Math.max(1, price * Math.exp(drift + (random() - 0.5) * 0.03));
    const close = Math.round(price * 100) / 100;
    columns.time[i] = Date.UTC(2000, 0, 1) + i * DAY_MS;
    columns.open[i] = open;
    columns.close[i] = close;
    columns.high[i] = Math.max(open, close) * (1 + random() * 0.01);
    columns.low[i] = Math.min(open, close) * (1 - random() * 0.01);
    columns.volume[i] = 1_000 + Math.floor(random() * 10_000);
    price = close;
  }
  return { symbol: "SYN", length, ...columns };
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

async function runParallelSweep(bars: BarSeries, combinations: SweepCombination[], workers: number): Promise<SweepRow[]> {
  const columns = shareColumns(bars);
  const workerUrl = new URL("./sweep-worker-entry.mjs", import.meta.url);
  const shares = Array.from({ length: workers }, (_, index) => combinations.filter((_, position) => position % workers === index));
  const results = await Promise.all(
    shares.map(
      (share) =>
        new Promise<SweepRow[]>((resolve, reject) => {
          const worker = new Worker(workerUrl, { workerData: { columns, combinations: share } });
          worker.once("message", resolve);
          worker.once("error", reject);
        }),
    ),
  );
  return results.flat();
}

export async function runBacktestBench(options: { bars?: number; sweepBars?: number; workers?: number } = {}): Promise<BacktestBenchResult> {
  const barCount = options.bars ?? 10_000_000;
  const bars = syntheticBars(barCount);
  const instrument = defineInstrument({ symbol: "SYN", timeZone: "UTC" });

  plainSmaLoop(bars.close, 50, 200);
  let start = process.hrtime.bigint();
  plainSmaLoop(bars.close, 50, 200);
  const plainSeconds = seconds(start);

  start = process.hrtime.bigint();
  const result = runBacktest({ bars, instrument, strategy: createGoldenCross(), initialCapital: 100_000, fill: "close", fractional: true });
  const backtestSeconds = seconds(start);

  const sweepBars = syntheticBars(options.sweepBars ?? 5_000, 7);
  const combinations = sweepGrid(range(2, 101), range(20, 221)).slice(0, 10_000);
  const workers = options.workers ?? Math.min(2, availableParallelism());
  start = process.hrtime.bigint();
  const rows = await runParallelSweep(sweepBars, combinations, workers);
  const sweepSeconds = seconds(start);
  if (rows.length !== combinations.length) throw new Error(`sweep returned ${rows.length} rows for ${combinations.length} combinations`);

  return {
    bars: barCount,
    backtestSeconds,
    backtestBarsPerSecond: barCount / backtestSeconds,
    plainSmaBarsPerSecond: barCount / plainSeconds,
    ratioToPlainLoop: plainSeconds / backtestSeconds,
    tradeCount: result.metrics.tradeCount,
    sweepCombinations: combinations.length,
    sweepBars: sweepBars.length,
    sweepWorkers: workers,
    sweepSeconds,
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, index) => from + index);
}

export function formatBacktestBench(result: BacktestBenchResult): string {
  const rate = (value: number) => `${(value / 1e6).toFixed(2)} M bars/s`;
  return [
    `golden-cross 50/200 backtest, ${result.bars.toLocaleString("en-US")} synthetic daily bars (fill at close, all-in, ${result.tradeCount} trades)`,
    `  full backtest   ${rate(result.backtestBarsPerSecond)}  (${result.backtestSeconds.toFixed(2)} s)`,
    `  plain SMA loop  ${rate(result.plainSmaBarsPerSecond)}`,
    `  ratio           ${result.ratioToPlainLoop.toFixed(3)}x  (target >= 0.10x)`,
    `sweep: ${result.sweepCombinations.toLocaleString("en-US")} (fast, slow) combinations x ${result.sweepBars.toLocaleString("en-US")} bars on ${result.sweepWorkers} worker threads`,
    `  ${result.sweepSeconds.toFixed(2)} s  (target < 10 s)`,
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
