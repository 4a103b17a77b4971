import { parentPort, workerData } from "node:worker_threads";
import { runSweep, type SweepCombination, type SweepSettings } from "@/lib/core/backtest/sweep";
import type { BarSeries } from "@/lib/core/data/bars";
import { defineInstrument } from "@/lib/core/model/instrument";

/** Runs its share of a parameter sweep on bars shared with the main thread (no copy). */
interface SweepJob {
  readonly columns: Record<"time" | "open" | "high" | "low" | "close" | "volume", Float64Array>;
  readonly combinations: SweepCombination[];
  readonly settings: Omit<SweepSettings, "instrument" | "commission">;
}

const job = workerData as SweepJob;
const bars: BarSeries = { length: job.columns.close.length, ...job.columns };
const start = performance.now();
const rows = runSweep(bars, job.combinations, { ...job.settings, instrument: defineInstrument({ symbol: "SYN", timeZone: "UTC" }) });
parentPort?.postMessage({ rows, seconds: (performance.now() - start) / 1000 });
