import { describe, expect, it } from "vitest";
import { LatestValueCoalescer, PushRateMeter } from "./coalescer";
import { applyDelta } from "./apply-delta";
import type { DashboardSnapshot } from "@/lib/services/account-view";

describe("LatestValueCoalescer", () => {
  it("keeps only the newest value per key, in first-seen key order", () => {
    const coalescer = new LatestValueCoalescer<string, number>();
    coalescer.offer("AAPL", 1);
    coalescer.offer("MSFT", 5);
    coalescer.offer("AAPL", 2);
    coalescer.offer("AAPL", 3);
    expect(coalescer.size).toBe(2);
    expect(coalescer.drain()).toEqual([
      ["AAPL", 3],
      ["MSFT", 5],
    ]);
    expect(coalescer.drain()).toEqual([]);
    expect(coalescer.size).toBe(0);
  });
});

describe("PushRateMeter", () => {
  it("reports the most pushes seen within any one second", () => {
    const meter = new PushRateMeter();
    for (let t = 0; t < 3000; t += 100) meter.record(t);
    expect(meter.peakPerSecond).toBe(10);
    for (let t = 3000; t < 3100; t += 10) meter.record(t);
    expect(meter.peakPerSecond).toBe(19);
  });
});

const snapshot: DashboardSnapshot = {
  connection: "connected",
  account: { account: "DU1", currency: "USD", netLiquidation: 100, totalCash: 50, buyingPower: 200, unrealizedPnl: 0, realizedPnl: 0 },
  positions: [{ symbol: "AAPL", quantity: 10, avgCost: 100, marketPrice: 101, unrealizedPnl: 10 }],
  orders: [],
  fills: [],
  quotes: [
    { symbol: "AAPL", bid: 100.9, ask: 101.1, last: 101, volume: 1 },
    { symbol: "MSFT", bid: 299, ask: 301, last: 300, volume: 1 },
  ],
};

describe("applyDelta", () => {
  it("replaces the fields a delta carries and leaves the others", () => {
    const next = applyDelta(snapshot, { connection: "disconnected", positions: [] });
    expect(next.connection).toBe("disconnected");
    expect(next.positions).toEqual([]);
    expect(next.account).toBe(snapshot.account);
    expect(next.quotes).toBe(snapshot.quotes);
  });

  it("merges quotes by symbol so symbols missing from the delta keep their last price", () => {
    const aapl = { ...snapshot.quotes[0], last: 102 };
    const next = applyDelta(snapshot, { quotes: [aapl] });
    expect(next.quotes.map((quote) => [quote.symbol, quote.last])).toEqual([
      ["AAPL", 102],
      ["MSFT", 300],
    ]);
  });
});
