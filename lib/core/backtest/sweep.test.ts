import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseOhlcvCsv } from "../data/csv";
import { AverageCache } from "../indicators";
import { perShareCommission, percentCommission } from "../model/commission";
import { defineInstrument } from "../model/instrument";
import { MovingAverageCross } from "../strategies/moving-average-cross";
import { CloseFillAccount } from "./close-fill-account";
import { runBacktest } from "./run";
import { runSweep, sweepGrid, type SweepSettings } from "./sweep";

const FIXTURE = new URL("../../../test/fixtures/prices/fb-daily-2012-2014.csv", import.meta.url);
const bars = parseOhlcvCsv(readFileSync(FIXTURE, "utf8"), { source: "fb-daily-2012-2014.csv" });
const instrument = defineInstrument({ symbol: "FB", timeZone: "UTC" });
const base = { instrument, initialCapital: 100_000, fill: "close" } as const;

const settingsCases: [string, SweepSettings][] = [
  ["state, long only, fractional, no commission", { ...base, mode: "state", longOnly: true, fractional: true }],
  ["cross, long/short, whole shares, 10 bp", { ...base, mode: "cross", longOnly: false, fractional: false, commission: percentCommission(0.001) }],
  ["state, long/short, whole shares, IBKR per-share", { ...base, mode: "state", longOnly: false, fractional: false, commission: perShareCommission() }],
  ["state, long only, 10 bp, fractional", { ...base, mode: "state", longOnly: true, fractional: true, commission: percentCommission(0.001) }],
  ["next-open fills (full engine)", { ...base, fill: "next-open", mode: "state", longOnly: false, fractional: true }],
];

/** The reference: one full engine backtest per combination, nothing shared. */
function fullBacktestRow(settings: SweepSettings, fast: number, slow: number) {
  const strategy = new MovingAverageCross("golden-cross", { fast, slow, mode: settings.mode, longOnly: settings.longOnly, average: "sma" });
  const { metrics } = runBacktest({ ...settings, bars, strategy });
  return { fast, slow, finalCapital: metrics.finalCapital, sharpe: metrics.sharpe, maxDrawdown: metrics.maxDrawdown, tradeCount: metrics.tradeCount };
}

describe("runSweep", () => {
  const combinations = sweepGrid([2, 3, 5, 10, 20, 50], [4, 8, 15, 30, 60, 200]);

  for (const [label, settings] of settingsCases) {
    it(`${label}: every row equals a full engine backtest with the same parameters`, () => {
      const rows = runSweep(bars, combinations, settings);
      expect(rows).toHaveLength(combinations.length);
      expect(rows.some((row) => row.tradeCount > 20)).toBe(true);
      rows.forEach((row) => expect(row).toEqual(fullBacktestRow(settings, row.fast, row.slow)));
    });
  }

  it("the close-fill account refuses intents that need the engine's order book", () => {
    const account = new CloseFillAccount({ instrument, initialCapital: 100_000, commission: percentCommission(0), fractional: true });
    expect(() => account.submit({ kind: "protect", stopPrice: 10, reason: "test" })).not.toThrow(); // no bar yet: ignored like the engine
    const strategy = { name: "stops", onBar: () => account.submit({ kind: "protect", stopPrice: 10, reason: "test" }) };
    expect(() => account.run(strategy, bars, new AverageCache(bars.close))).toThrow(/protect intents need the full engine/);
  });

  it("lists every fast < slow pair once, in order", () => {
    expect(sweepGrid([2, 5], [3, 5, 8])).toEqual([
      { fast: 2, slow: 3 },
      { fast: 2, slow: 5 },
      { fast: 2, slow: 8 },
      { fast: 5, slow: 8 },
    ]);
  });
});
