import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { eventually } from "@/test/eventually";
import { BacktestRuns, tradesCsv } from "./backtest-runs";

const ROOT = new URL("../../", import.meta.url).pathname;
const FIXTURE = join(ROOT, "test/fixtures/prices/fb-daily-2012-2014.csv");
const csv = { kind: "csv", name: "fb-daily-2012-2014.csv", text: readFileSync(FIXTURE, "utf8") } as const;

describe("BacktestRuns", { timeout: 60_000 }, () => {
  it("produces the same JSON as `npm run backtest -- --json` for the same inputs", async () => {
    const runs = new BacktestRuns();
    const started = runs.start({
      data: csv,
      strategy: "golden-cross",
      parameters: { fast: 20, slow: 50, mode: "state", longOnly: true },
      commission: "ibkr-fixed",
      capital: 50_000,
    });
    expect(started.status).toBe("queued");
    await eventually(() => runs.get(started.id)?.status, (status) => status === "done");
    const run = runs.get(started.id)!;
    expect(run.progress).toBe(1);

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "scripts/backtest.ts", "--data", FIXTURE, "--strategy", "golden-cross", "--fast", "20", "--slow", "50", "--mode", "state", "--long-only", "--commission", "ibkr-fixed", "--capital", "50000", "--json"],
      { cwd: ROOT },
    );
    expect(run.summary).toEqual(JSON.parse(stdout));
    expect(run.summary!.tradeCount).toBeGreaterThan(0);

    const chart = run.chart!;
    expect(chart.time).toHaveLength(run.summary!.bars);
    expect(Math.min(...chart.drawdown)).toBeCloseTo(-run.summary!.maxDrawdown, 10);
    const csvLines = tradesCsv(run.summary!).trim().split("\n");
    expect(csvLines[0]).toBe("direction,entryDate,exitDate,entryPrice,exitPrice,quantity,pnl,commission");
    expect(csvLines).toHaveLength(run.summary!.tradeCount + 1);
    expect(runs.equityCsv(started.id)!.split("\n")[0]).toBe("time,equity,in_position");
  });

  it("refuses an invalid strategy parameter before running, naming it", () => {
    const runs = new BacktestRuns();
    expect(() => runs.start({ data: csv, strategy: "ma-cross", parameters: { fast: -3 } })).toThrow(ZodError);
    try {
      runs.start({ data: csv, strategy: "ma-cross", parameters: { fast: -3 } });
    } catch (error) {
      expect((error as ZodError).issues[0].path).toContain("fast");
    }
    expect(runs.list()).toEqual([]);
  });

  it("reports a malformed CSV as a failed run with the loader's message", async () => {
    const runs = new BacktestRuns();
    const started = runs.start({ data: { kind: "csv", name: "bad.csv", text: "date,open\n2020-01-01,x\n" }, strategy: "golden-cross" });
    await eventually(() => runs.get(started.id)?.status, (status) => status === "failed");
    expect(runs.get(started.id)!.error).toMatch(/bad\.csv/);
  });

  it("says stored series are unavailable when no bar store is wired", async () => {
    const runs = new BacktestRuns();
    const started = runs.start({ data: { kind: "stored", seriesId: 1 }, strategy: "golden-cross" });
    await eventually(() => runs.get(started.id)?.status, (status) => status === "failed");
    expect(runs.get(started.id)!.error).toMatch(/upload a CSV/);
  });
});
