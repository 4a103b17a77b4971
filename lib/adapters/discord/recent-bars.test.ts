import { describe, expect, it } from "vitest";
import { RecentBars } from "./recent-bars";

describe("recent bars for setup charts", () => {
  it("keeps the last completed bars per symbol, built from prices, and ignores junk prices", () => {
    const recent = new RecentBars(60_000, 2);
    const minute = 60_000;
    const prints: [number, number][] = [
      [0, 10],
      [10_000, 12],
      [20_000, 9],
      [30_000, Number.NaN],
      [minute, 11],
      [2 * minute + 5, 13],
      [3 * minute, 14],
    ];
    for (const [time, price] of prints) recent.add("SPY", price, time);
    recent.add("AAPL", 200, 0);
    expect(recent.bars("SPY")).toEqual([
      { time: minute, open: 11, high: 11, low: 11, close: 11, volume: 0 },
      { time: 2 * minute, open: 13, high: 13, low: 13, close: 13, volume: 0 },
    ]);
    expect(recent.bars("AAPL")).toEqual([]);
    expect(recent.bars("MSFT")).toEqual([]);
  });
});
