import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../../../", import.meta.url).pathname;
const FIXTURE = join(ROOT, "test/fixtures/prices/fb-daily-2012-2014.csv");

async function backtest(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/backtest.ts", ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("backtest CLI", { timeout: 120_000 }, () => {
  it("prints exactly one JSON object with the metrics and the trade list", async () => {
    const { code, stdout } = await backtest("--data", FIXTURE, "--strategy", "golden-cross", "--fast", "20", "--slow", "50", "--mode", "state", "--long-only", "--fill", "close", "--capital", "100000", "--commission-pct", "0", "--fractional", "--json");
    expect(code).toBe(0);
    expect(stdout.trim().split("\n")).toHaveLength(1);
    const report = JSON.parse(stdout);
    for (const key of ["finalCapital", "totalReturn", "cagr", "sharpe", "sortino", "maxDrawdown", "tradeCount", "profitPerTrade", "winRate", "exposure", "trades"]) {
      expect(report).toHaveProperty(key);
    }
    expect(report.tradeCount).toBe(report.trades.length);
    expect(report.totalReturn).toBeCloseTo(report.finalCapital / 100_000 - 1, 12);
    expect(report.maxDrawdown).toBeGreaterThan(0);
    expect(report.maxDrawdown).toBeLessThan(1);
    expect(report.trades[0]).toEqual({
      direction: "long",
      entryDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      exitDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      entryPrice: expect.any(Number),
      exitPrice: expect.any(Number),
      quantity: expect.any(Number),
      pnl: expect.any(Number),
      commission: 0,
    });
    const pnl = report.trades.reduce((sum: number, trade: { pnl: number }) => sum + trade.pnl, 0);
    expect(report.finalCapital).toBeCloseTo(100_000 + pnl, 6);
  });

  it("writes the equity curve and prints a table without --json", async () => {
    const equityFile = join(mkdtempSync(join(tmpdir(), "kestrel-bt-")), "equity.csv");
    const { code, stdout } = await backtest("--data", FIXTURE, "--strategy", "ma-cross", "--long-short", "--fill", "next-open", "--commission", "ibkr-fixed", "--slippage-bps", "2", "--equity-csv", equityFile);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Final capital/);
    expect(stdout).toMatch(/Sharpe \(annualized\)/);
    const rows = readFileSync(equityFile, "utf8").trim().split("\n");
    expect(rows[0]).toBe("time,equity,in_position");
    expect(rows).toHaveLength(453);
  });

  it("rejects a bad flag value with exit code 2, naming the flag, without a stack trace", async () => {
    const cases = [
      [["--fill", "tomorrow"], /--fill must be one of close, next-open/],
      [["--fast", "ten"], /--fast must be a number/],
      [["--fast", "60", "--slow", "50"], /--fast: fast must be shorter than slow/],
      [["--commission-pct", "5"], /--commission-pct is a fraction/],
      [["--strategy", "moon"], /unknown strategy "moon"/],
      [["--whatever"], /Unknown option '--whatever'/],
    ] as const;
    for (const [args, message] of cases) {
      const { code, stderr } = await backtest("--data", FIXTURE, ...args);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("rejects a bad data file naming the file, the row and the rule", async () => {
    const bad = join(mkdtempSync(join(tmpdir(), "kestrel-bt-")), "bad.csv");
    writeFileSync(bad, "date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10,9,8,10.5,100\n");
    const { code, stderr } = await backtest("--data", bad);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad\.csv/);
    expect(stderr).toMatch(/row 3|line 3|:3/);
    expect(stderr).not.toMatch(/\n\s+at /);
    const missing = await backtest("--data", "/nonexistent/prices.csv");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--data \/nonexistent\/prices\.csv: no such file/);
  });
});
