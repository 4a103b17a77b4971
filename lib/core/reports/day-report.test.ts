import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { exchangeCalendar } from "../calendar/calendar";
import { buildDayReport } from "./day-report";
import { strategyOf } from "./attribution";
import { replayFills } from "./replay";
import type { ReportFill } from "./types";

const nyse = exchangeCalendar("XNYS");
let sequence = 0;
function fill(partial: Partial<ReportFill> & Pick<ReportFill, "symbol" | "side" | "quantity" | "price" | "time">): ReportFill {
  return { execId: `e${++sequence}`, orderId: sequence, currency: "USD", commission: 1, brokerRealizedPnl: null, orderRef: null, ...partial };
}
const at = (iso: string) => Date.parse(iso);

// Thursday 2026-11-19 opens AAPL; Friday 2026-11-20 closes it and trades MSFT both ways.
const history = [fill({ symbol: "AAPL", side: "BUY", quantity: 100, price: 10, time: at("2026-11-19T15:00:00Z") })];
const friday = [
  fill({ symbol: "AAPL", side: "SELL", quantity: 60, price: 11, time: at("2026-11-20T15:00:00Z") }),
  fill({ symbol: "AAPL", side: "SELL", quantity: 40, price: 12, time: at("2026-11-20T16:00:00Z") }),
  fill({ symbol: "MSFT", side: "SELL", quantity: 50, price: 20, time: at("2026-11-20T17:00:00Z"), orderRef: "sma:1" }),
  fill({ symbol: "MSFT", side: "BUY", quantity: 80, price: 19, commission: 1.6, time: at("2026-11-20T18:00:00Z"), orderRef: "sma:2" }),
  // 21:30 New York on Friday: still Friday's trading day although Saturday in UTC.
  fill({ symbol: "MSFT", side: "SELL", quantity: 30, price: 18, time: at("2026-11-21T02:30:00Z"), orderRef: "flatten:9", brokerRealizedPnl: -31.65 }),
];
const saturday = [fill({ symbol: "MSFT", side: "BUY", quantity: 10, price: 18, time: at("2026-11-21T15:00:00Z") })];

describe("buildDayReport", () => {
  const report = buildDayReport({ day: "2026-11-20", calendar: nyse, fills: [...saturday, ...friday, ...history] });

  it("lists the day's fills in time order with FIFO gross and IB-style net realized P&L", () => {
    expect(report.fills.map((row) => row.execId)).toEqual(friday.map((row) => row.execId));
    expect(report.fills.map((row) => row.grossRealizedPnl)).toEqual([60, 80, 0, 50, -30]);
    // Closing commission plus the closed share of the opening commission; the broker's figure wins when given.
    expect(report.fills.map((row) => row.realizedPnl)).toEqual([58.4, 78.6, 0, 48, -31.65]);
    expect(report.fills.map((row) => row.realizedSource)).toEqual(["computed", "computed", "computed", "computed", "broker"]);
    expect(report.fills.map((row) => row.positionAfter)).toEqual([40, 0, -50, 30, 0]);
    expect(report.fills.map((row) => row.strategy)).toEqual(["manual", "manual", "sma", "sma", "flatten"]);
  });

  it("summarizes the day", () => {
    expect(report.summary).toEqual({
      fills: 5,
      shares: 260,
      trades: 3,
      wins: 2,
      losses: 1,
      winRate: 2 / 3,
      grossRealizedPnl: 160,
      commissions: 5.6,
      realizedPnl: 153.35,
      net: 154.4,
      largestWin: 137,
      largestLoss: -31.6,
      currencies: ["USD"],
    });
  });

  it("builds round trips, including one opened the day before and a reversal", () => {
    expect(report.roundTrips).toEqual([
      expect.objectContaining({ symbol: "AAPL", direction: "long", quantity: 100, entryPrice: 10, exitPrice: 11.4, grossPnl: 140, commissions: 3, netPnl: 137, entryTime: history[0].time, holdingMs: at("2026-11-20T16:00:00Z") - history[0].time }),
      expect.objectContaining({ symbol: "MSFT", direction: "short", quantity: 50, entryPrice: 20, exitPrice: 19, grossPnl: 50, commissions: 2, netPnl: 48, strategy: "sma" }),
      expect.objectContaining({ symbol: "MSFT", direction: "long", quantity: 30, entryPrice: 19, exitPrice: 18, grossPnl: -30, commissions: 1.6, netPnl: -31.6, realizedToday: -31.65 }),
    ]);
  });

  it("waterfall steps add up to the day's realized P&L; the equity curve ends at the net", () => {
    expect(report.waterfall.map((step) => [step.value, step.from, step.to])).toEqual([
      [137, 0, 137],
      [48, 137, 185],
      [-31.65, 185, 153.35],
      [153.35, 0, 153.35],
    ]);
    expect(report.equityCurve.at(-1)?.value).toBe(report.summary.net);
    expect(report.equityCurve).toHaveLength(friday.length + 1);
  });

  it("breaks the day down per strategy and per symbol", () => {
    expect(report.byStrategy.map((row) => [row.key, row.fills, row.net])).toEqual([
      ["manual", 2, 138],
      ["sma", 2, 47.4],
      ["flatten", 1, -31],
    ]);
    expect(report.bySymbol.map((row) => [row.key, row.realizedPnl, row.closedTrips])).toEqual([
      ["AAPL", 137, 1],
      ["MSFT", 16.35, 2],
    ]);
  });

  it("an empty or non-trading day is an empty report, not an error", () => {
    const quiet = buildDayReport({ day: "2026-11-23", calendar: nyse, fills: [] });
    expect(quiet.summary).toMatchObject({ fills: 0, trades: 0, winRate: null, realizedPnl: 0, net: 0 });
    const weekend = buildDayReport({ day: "2026-11-21", calendar: nyse, fills: [...friday, ...saturday] });
    expect(weekend.tradingDay).toBe(false);
    expect(weekend.fills).toEqual([]);
  });
});

describe("replayFills", () => {
  it("a round trip closed to flat nets gross minus all its commissions, however the fills split", () => {
    const fills = fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fills, fills, fc.integer({ min: 100, max: 10_000 }), (buys, sellsRaw, cents) => {
        const total = buys.reduce((sum, quantity) => sum + quantity, 0);
        const sellTotal = sellsRaw.reduce((sum, quantity) => sum + quantity, 0);
        const sells = sellsRaw.map((quantity) => (quantity * total) / sellTotal).map(Math.floor);
        sells[sells.length - 1] += total - sells.reduce((sum, quantity) => sum + quantity, 0);
        const nonZeroSells = sells.filter((quantity) => quantity > 0);
        const price = cents / 100;
        const rows = [
          ...buys.map((quantity, index) => fill({ symbol: "X", side: "BUY", quantity, price, commission: 1, time: 1_000 + index })),
          ...nonZeroSells.map((quantity, index) => fill({ symbol: "X", side: "SELL", quantity, price: price + 0.5, commission: 1.25, time: 2_000 + index })),
        ];
        const { rows: out, trips } = replayFills(rows, { start: 0, end: 10_000 });
        // Each fill is rounded to a micro-unit, so the sum may drift by a few of them.
        const realized = out.reduce((sum, row) => sum + row.realizedPnl, 0);
        const expectedNet = total * 0.5 - buys.length - 1.25 * nonZeroSells.length;
        return trips.length === 1 && Math.abs(trips[0].netPnl - expectedNet) < 1e-6 && Math.abs(realized - expectedNet) < 1e-5;
      }),
    );
  });
});

describe("strategyOf", () => {
  it("reads the strategy before the colon; no reference is manual", () => {
    expect(strategyOf("sma-cross:42")).toBe("sma-cross");
    expect(strategyOf("flatten:7f3c")).toBe("flatten");
    expect(strategyOf("breakout")).toBe("breakout");
    expect(strategyOf(null)).toBe("manual");
    expect(strategyOf("  ")).toBe("manual");
    expect(strategyOf(":5")).toBe("manual");
  });
});
