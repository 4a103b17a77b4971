import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { eventually } from "@/test/eventually";
import { scratchPrismaForSuite } from "@/test/db";
import { BacktestRuns, tradesCsv, type BacktestRequest } from "./backtest-runs";

const ROOT = new URL("../../", import.meta.url).pathname;
const FIXTURE = join(ROOT, "test/fixtures/prices/fb-daily-2012-2014.csv");
const csv = { kind: "csv", name: "fb-daily-2012-2014.csv", text: readFileSync(FIXTURE, "utf8") } as const;
const goldenCross: BacktestRequest = {
  data: csv,
  strategy: "golden-cross",
  parameters: { fast: 20, slow: 50, mode: "state", longOnly: true },
  commission: "ibkr-fixed",
  capital: 50_000,
};

const db = scratchPrismaForSuite();
const service = () => new BacktestRuns({ prisma: db.prisma });

async function finished(runs: BacktestRuns, id: string) {
  return eventually(() => runs.get(id), (run) => run?.status === "done" || run?.status === "failed");
}

describe("BacktestRuns", { timeout: 60_000 }, () => {
  it("produces the same JSON as `npm run backtest -- --json` for the same inputs, and keeps it in Postgres", async () => {
    const runs = service();
    const started = await runs.start(goldenCross, "owner");
    expect(started.status).toBe("queued");
    const run = (await finished(runs, started.id))!;
    expect(run.status).toBe("done");
    expect(run.progress).toBe(1);

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "scripts/backtest.ts", "--data", FIXTURE, "--strategy", "golden-cross", "--fast", "20", "--slow", "50", "--mode", "state", "--long-only", "--commission", "ibkr-fixed", "--capital", "50000", "--json"],
      { cwd: ROOT },
    );
    const cli = JSON.parse(stdout);
    expect(run.summary).toEqual(cli);
    expect(run.summary!.tradeCount).toBeGreaterThan(0);

    // Read back from the table by a service that never ran it.
    const stored = (await service().get(started.id))!;
    expect(stored).toMatchObject({ id: started.id, status: "done", progress: 1, createdBy: "owner", label: "golden-cross on fb-daily-2012-2014.csv" });
    expect(stored.summary).toEqual(cli);
    expect(stored.finishedAt).not.toBeNull();
    const chart = stored.chart!;
    expect(chart.time).toHaveLength(cli.bars);
    expect(Math.min(...chart.drawdown)).toBeCloseTo(-cli.maxDrawdown, 10);
    const csvLines = tradesCsv(stored.summary!).trim().split("\n");
    expect(csvLines[0]).toBe("direction,entryDate,exitDate,entryPrice,exitPrice,quantity,pnl,commission");
    expect(csvLines).toHaveLength(cli.tradeCount + 1);
    const equity = (await service().equityCsv(started.id))!.trim().split("\n");
    expect(equity[0]).toBe("time,equity,in_position");
    expect(equity).toHaveLength(cli.bars + 1);
    expect(Number(equity.at(-1)!.split(",")[1])).toBeCloseTo(cli.finalCapital, 6);

    const row = await db.prisma.backtestRun.findUniqueOrThrow({ where: { id: started.id } });
    expect(row.request).toMatchObject({ strategy: "golden-cross", capital: 50_000, data: { kind: "csv", name: csv.name, bytes: Buffer.byteLength(csv.text) } });
    expect(JSON.stringify(row.request)).not.toContain(csv.text.slice(0, 200));
  });

  it("refuses an invalid strategy parameter before running, naming it, and stores nothing", async () => {
    const runs = service();
    const before = await db.prisma.backtestRun.count();
    await expect(runs.start({ data: csv, strategy: "ma-cross", parameters: { fast: -3 } })).rejects.toThrow(ZodError);
    const error = await runs.start({ data: csv, strategy: "ma-cross", parameters: { fast: -3 } }).catch((failure: unknown) => failure);
    expect((error as ZodError).issues[0].path).toContain("fast");
    expect(await db.prisma.backtestRun.count()).toBe(before);
  });

  it("reports a malformed CSV as a failed run with the loader's message", async () => {
    const runs = service();
    const started = await runs.start({ data: { kind: "csv", name: "bad.csv", text: "date,open\n2020-01-01,x\n" }, strategy: "golden-cross" });
    await finished(runs, started.id);
    const stored = (await service().get(started.id))!;
    expect(stored.status).toBe("failed");
    expect(stored.error).toMatch(/bad\.csv/);
  });

  it("says stored series are unavailable when no bar store is wired", async () => {
    const runs = service();
    const started = await runs.start({ data: { kind: "stored", seriesId: 1 }, strategy: "golden-cross" });
    expect((await finished(runs, started.id))!.error).toMatch(/upload a CSV/);
  });

  it("lists runs newest first a page at a time, and a new service on the same database compares two of them", async () => {
    let clock = Date.parse("2030-01-01T00:00:00Z");
    const ticking = new BacktestRuns({ prisma: db.prisma, now: () => (clock += 1_000) });
    const a = await ticking.start({ ...goldenCross, capital: 10_000 });
    const b = await ticking.start({ ...goldenCross, strategy: "ma-cross", parameters: { fast: 5, slow: 20 } });
    await finished(ticking, a.id);
    await finished(ticking, b.id);

    const restarted = service();
    const page1 = await restarted.list({ limit: 1 });
    expect(page1.runs.map((run) => run.id)).toEqual([b.id]);
    expect(page1.nextBefore).toBe(b.id);
    const page2 = await restarted.list({ limit: 1, before: page1.nextBefore! });
    expect(page2.runs.map((run) => run.id)).toEqual([a.id]);
    const everything = await restarted.list({ limit: 100 });
    expect(everything.nextBefore).toBeNull();
    const createdAt = everything.runs.map((run) => run.createdAt);
    expect([...createdAt].sort().reverse()).toEqual(createdAt);
    expect(page1.runs[0].metrics).not.toHaveProperty("trades");

    const compared = (await restarted.compare([a.id, b.id]))!;
    expect(compared.map((run) => [run.id, run.metrics!.strategy, run.metrics!.initialCapital])).toEqual([
      [a.id, "golden-cross", 10_000],
      [b.id, "ma-cross", 50_000],
    ]);
    const bFull = (await restarted.get(b.id))!;
    const { trades: _trades, ...bMetrics } = bFull.summary!;
    void _trades;
    expect(compared[1].metrics).toEqual(bMetrics);
    expect(await restarted.compare([a.id, "zzz-00000000"])).toBeNull();
  });

  it("marks a run a dead process left running as failed on the next start", async () => {
    const never = new Promise<never>(() => undefined);
    const dying = new BacktestRuns({ prisma: db.prisma, loadStoredBars: () => never });
    const started = await dying.start({ data: { kind: "stored", seriesId: 7 }, strategy: "golden-cross" });
    await eventually(() => db.prisma.backtestRun.findUniqueOrThrow({ where: { id: started.id } }), (row) => row.status === "running");

    const next = service();
    expect(await next.recoverInterrupted()).toBe(1);
    const run = (await next.get(started.id))!;
    expect(run).toMatchObject({ status: "failed", error: "interrupted by restart" });
    expect(run.finishedAt).not.toBeNull();
    expect(await next.recoverInterrupted()).toBe(0);
  });
});
