import { parentPort, workerData } from "node:worker_threads";
import { runSweep, type SweepCombination } from "@/lib/core/backtest/sweep";
import type { BarSeries } from "@/lib/core/data/bars";
import { defineInstrument } from "@/lib/core/model/instrument";

/** Runs its share of a parameter sweep on bars shared with the main thread (no copy). */
interface SweepJob {
  readonly columns: Record<"time" | "open" | "high" | "low" | "close" | "volume", Float64Array>;
  readonly combinations: SweepCombination[];
}

const job = workerData as SweepJob;
const bars: BarSeries = { length: job.columns.close.length, ...job.columns };
const rows = runSweep(bars, job.combinations, {
  instrument: defineInstrument({ symbol: "SYN", timeZone: "UTC" }),
  initialCapital: 100_000,
  fill: "close",
  mode: "state",
  longOnly: true,
  fractional: true,
});
parentPort?.postMessage(rows);
