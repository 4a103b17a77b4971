/**
 * `npm run bench`: the trading core's speed in one run: every batch indicator against a plain
 * Float64Array loop and the JS peers, then the full golden-cross backtest and the parameter sweep.
 * Options: --points N (indicator series length), --bars N (backtest length).
 */
import { cpus, loadavg } from "node:os";
import { formatBacktestBench, runBacktestBench } from "./backtest";
import { formatBenchTable, runIndicatorBench } from "./indicators";

function numberFlag(name: string): number | undefined {
  const index = process.argv.indexOf(name);
  if (index < 0) return undefined;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} takes a positive whole number`);
  return value;
}

async function main(): Promise<void> {
  const points = numberFlag("--points") ?? 10_000_000;
  const bars = numberFlag("--bars");
  console.log(`Kestrel core benchmark, ${new Date().toISOString()}`);
  console.log(`Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}, load average ${loadavg()[0].toFixed(2)}`);
  console.log(`\nBatch indicators, ${points.toLocaleString("en-US")} points`);
  console.log(formatBenchTable(await runIndicatorBench(points)));
  console.log("");
  console.log(formatBacktestBench(await runBacktestBench({ bars })));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
