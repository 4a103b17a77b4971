import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseOhlcvCsv } from "../data/csv";
import { sma } from "../indicators";
import { perShareCommission, percentCommission } from "../model/commission";
import { defineInstrument } from "../model/instrument";
import type { OrderRequest } from "../model/order";
import { createGoldenCross } from "../strategies/golden-cross";
import { createMaCross } from "../strategies/ma-cross";
import { backtestReport } from "./report";
import { runBacktest } from "./run";

// Real daily prices: see test/fixtures/prices/README.md for the source and licence.
const FIXTURE = new URL("../../../test/fixtures/prices/fb-daily-2012-2014.csv", import.meta.url);
const bars = parseOhlcvCsv(readFileSync(FIXTURE, "utf8"), { source: "fb-daily-2012-2014.csv" });
const instrument = defineInstrument({ symbol: "FB", timeZone: "America/New_York" });

/** A fingerprint of everything the engine sent, in order. */
function orderListHash(orders: readonly OrderRequest[]): string {
  return createHash("sha256").update(JSON.stringify(orders)).digest("hex").slice(0, 16);
}

const day = (index: number) => new Date(bars.time[index]).toISOString().slice(0, 10);

/** Golden cross in state mode, long-only, filled at the close, written as a plain loop. */
function referenceGoldenCross(fast: number, slow: number, capital: number) {
  const fastAverage = sma(bars.close, fast);
  const slowAverage = sma(bars.close, slow);
  const trades: { entryDate: string; exitDate: string; entryPrice: number; exitPrice: number }[] = [];
  let entry = -1;
  for (let i = 0; i < bars.length; i++) {
    if (Number.isNaN(slowAverage[i])) continue;
    if (entry < 0 && fastAverage[i] > slowAverage[i]) entry = i;
    else if (entry >= 0 && fastAverage[i] < slowAverage[i]) {
      trades.push({ entryDate: day(entry), exitDate: day(i), entryPrice: bars.close[entry], exitPrice: bars.close[i] });
      entry = -1;
    }
  }
  const last = bars.length - 1;
  if (entry >= 0) trades.push({ entryDate: day(entry), exitDate: day(last), entryPrice: bars.close[entry], exitPrice: bars.close[last] });
  const finalCapital = trades.reduce((equity, trade) => (equity * trade.exitPrice) / trade.entryPrice, capital);
  return { trades, finalCapital };
}

describe("golden backtests on real daily prices (FB, 2012-05-18 to 2014-03-07)", () => {
  it("has the fixture the tests were pinned on", () => {
    expect(bars.length).toBe(452);
    expect(day(0)).toBe("2012-05-18");
    expect(day(451)).toBe("2014-03-07");
  });

  it("golden cross 50/200, state, long-only, fill at close, all-in fractional: matches a plain loop", () => {
    const result = runBacktest({ bars, instrument, strategy: createGoldenCross(), initialCapital: 100_000, fill: "close", fractional: true });
    const report = backtestReport(result);
    const reference = referenceGoldenCross(50, 200, 100_000);
    expect(report.trades.map(({ entryDate, exitDate, entryPrice, exitPrice }) => ({ entryDate, exitDate, entryPrice, exitPrice }))).toEqual(reference.trades);
    expect(report.finalCapital).toBeCloseTo(reference.finalCapital, 4);
    expect(report.tradeCount).toBe(GOLDEN.goldenCross.tradeCount);
    expect(report.finalCapital).toBeCloseTo(GOLDEN.goldenCross.finalCapital, 6);
    expect(orderListHash(result.orders)).toBe(GOLDEN.goldenCross.orderHash);
  });

  it("golden cross 20/50 with a 0.1% commission: each trade compounds by (exit / entry) x (1 - c) / (1 + c)", () => {
    const c = 0.001;
    const result = runBacktest({ bars, instrument, strategy: createGoldenCross({ fast: 20, slow: 50 }), initialCapital: 100_000, fill: "close", fractional: true, commission: percentCommission(c) });
    const reference = referenceGoldenCross(20, 50, 100_000);
    const expected = reference.trades.reduce((equity, trade) => ((equity * trade.exitPrice) / trade.entryPrice) * ((1 - c) / (1 + c)), 100_000);
    expect(result.trades).toHaveLength(reference.trades.length);
    expect(result.metrics.finalCapital).toBeCloseTo(expected, 4);
    expect(result.metrics.tradeCount).toBe(GOLDEN.goldenCross2050.tradeCount);
    expect(result.metrics.finalCapital).toBeCloseTo(GOLDEN.goldenCross2050.finalCapital, 6);
    expect(orderListHash(result.orders)).toBe(GOLDEN.goldenCross2050.orderHash);
  });

  it("MA cross 10/30 long/short, next-open fills, IBKR fixed commission, 5 bp slippage, whole shares", () => {
    const result = runBacktest({
      bars,
      instrument,
      strategy: createMaCross({ longOnly: false }),
      initialCapital: 100_000,
      fill: "next-open",
      slippageBps: 5,
      commission: perShareCommission(),
    });
    const report = backtestReport(result);
    expect(report.tradeCount).toBe(GOLDEN.maCross.tradeCount);
    expect(report.finalCapital).toBeCloseTo(GOLDEN.maCross.finalCapital, 6);
    expect(report.trades.slice(0, 3)).toEqual(GOLDEN.maCross.firstTrades);
    expect(orderListHash(result.orders)).toBe(GOLDEN.maCross.orderHash);
    for (const trade of report.trades) expect(Number.isInteger(trade.quantity)).toBe(true);
  });
});

/** Pinned from a reviewed run: a change here is a change in behaviour and needs a reason. */
const GOLDEN = {
  goldenCross: { tradeCount: 2, finalCapital: 150_561.823032, orderHash: "438ceca806eb6a53" },
  goldenCross2050: { tradeCount: 5, finalCapital: 198_978.766127, orderHash: "94c2eaca81223df2" },
  maCross: {
    tradeCount: 17,
    finalCapital: 261_061.20063,
    orderHash: "12f0e31ccc1b0681",
    // Filled at the next open x (1 +/- 5 bp); $0.005 a share in commission on each side
    firstTrades: [
      { direction: "long", entryDate: "2012-07-02", exitDate: "2012-07-20", entryPrice: 31.25 * 1.0005, exitPrice: 29 * 0.9995, quantity: 3213, pnl: -7358.171625, commission: 32.13 },
      { direction: "short", entryDate: "2012-07-20", exitDate: "2012-09-19", entryPrice: 29 * 0.9995, exitPrice: 21.99 * 1.0005, quantity: 3197, pnl: 22297.492485, commission: 31.970000000000002 },
      { direction: "long", entryDate: "2012-09-19", exitDate: "2012-10-16", entryPrice: 21.99 * 1.0005, exitPrice: 19.68 * 0.9995, quantity: 5270, pnl: -12336.20045, commission: 52.7 },
    ],
  },
};
