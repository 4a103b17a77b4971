/**
 * Daily report speed: a day of 10,000 fills across 20 symbols (long, short, reversals), built
 * into the page's data, then written as XLSX and CSV. Budgets: page data < 1 s, XLSX < 2 s.
 *
 *   node --import tsx bench/report.ts [--fills 10000]
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { exchangeCalendar } from "@/lib/core/calendar";
import { buildDayReport, type ReportFill } from "@/lib/core/reports";
import { fillsCsv, reportWorkbook } from "@/lib/services/reports";

const DAY = "2026-11-20";
const calendar = exchangeCalendar("XNYS");

function syntheticDay(count: number): ReportFill[] {
  const { open, close } = calendar.session(DAY)!;
  const symbols = Array.from({ length: 20 }, (_, index) => `SYM${index}`);
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: count }, (_, index) => {
    const symbol = symbols[index % symbols.length];
    const price = Math.round((100 + random() * 20) * 100) / 100;
    const quantity = 1 + Math.floor(random() * 300);
    return {
      execId: `bench.${index}`,
      orderId: index,
      symbol,
      currency: "USD",
      side: random() < 0.5 ? "BUY" : "SELL",
      quantity,
      price,
      commission: Math.max(1, quantity * 0.005),
      brokerRealizedPnl: null,
      orderRef: index % 3 === 0 ? null : `strategy${index % 4}:${index}`,
      time: open + Math.floor(((close - open) * index) / count),
    } satisfies ReportFill;
  });
}

async function timed<T>(run: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { fills: { type: "string", default: "10000" } } });
  const count = Number(values.fills);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--fills must be a positive integer, got "${values.fills}"`);
  const fills = syntheticDay(count);
  await timed(() => buildDayReport({ day: DAY, calendar, fills: fills.slice(0, 500) })); // warm-up
  const page = await timed(() => buildDayReport({ day: DAY, calendar, fills }));
  const xlsx = await timed(() => reportWorkbook(page.value));
  const csv = await timed(() => fillsCsv(page.value));
  const rows = [
    ["page data (buildDayReport)", page.ms, 1_000],
    ["XLSX (reportWorkbook)", xlsx.ms, 2_000],
    ["CSV (fillsCsv)", csv.ms, 1_000],
  ] as const;
  console.log(`daily report, ${count} fills, ${page.value.roundTrips.length} round trips, XLSX ${(xlsx.value.length / 1024).toFixed(0)} KiB`);
  for (const [name, ms, budget] of rows) console.log(`${name.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms  (budget ${budget} ms) ${ms <= budget ? "ok" : "OVER"}`);
  if (rows.some(([, ms, budget]) => ms > budget)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
