import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decimalOf } from "./decimal";
import type { Fill } from "./fill";
import type { Side } from "./order";
import { Portfolio } from "./portfolio";
import { Position } from "./position";

let exec = 0;
function fill(side: Side, quantity: number, price: number, commission = 0): Fill {
  return { orderId: 1, execId: `e${++exec}`, symbol: "XYZ", side, quantity, price, commission, time: 0 };
}

describe("position", () => {
  it("realizes P&L first-in first-out", () => {
    const position = new Position("XYZ");
    position.apply(fill("BUY", 100, 10));
    position.apply(fill("BUY", 100, 12));
    expect(position.averageCost).toBe(11);
    // 150 sold at 13: 100 from the $10 lot (+300), 50 from the $12 lot (+50)
    const effect = position.apply(fill("SELL", 150, 13));
    expect(effect.realized).toBe(350);
    expect(position.quantity).toBe(50);
    expect(position.averageCost).toBe(12);
    expect(position.unrealizedPnl(11).toNumber()).toBe(-50);
  });

  it("closes and then opens when a fill crosses through zero", () => {
    const position = new Position("XYZ");
    position.apply(fill("BUY", 100, 10));
    const effect = position.apply(fill("SELL", 250, 9));
    expect(effect.realized).toBe(-100);
    expect(effect.closedQuantity).toBe(100);
    expect(effect.openedQuantity).toBe(150);
    expect(position.quantity).toBe(-150);
    expect(position.averageCost).toBe(9);
    // The short gains when the price falls
    const cover = position.apply(fill("BUY", 150, 8.5));
    expect(cover.realized).toBe(75);
    expect(position.isFlat).toBe(true);
    expect(position.realizedPnl.toNumber()).toBe(-25);
  });

  it("adds decimal prices without float noise", () => {
    const position = new Position("XYZ");
    position.apply(fill("BUY", 3, 0.1));
    const effect = position.apply(fill("SELL", 3, 0.3));
    // In floats, 3 x 0.3 - 3 x 0.1 is 0.6000000000000001
    expect(String(effect.realized)).toBe("0.6");
    expect(position.realizedPnl.toString()).toBe("0.6");
  });

  it("keeps a long ledger exact: a million small fills add up to the cent", () => {
    const portfolio = new Portfolio(0);
    for (let i = 0; i < 500_000; i++) {
      portfolio.applyFill(fill("BUY", 1, 0.1));
      portfolio.applyFill(fill("SELL", 1, 0.3));
    }
    expect(portfolio.cash.toString()).toBe("100000");
    expect(portfolio.position("XYZ").realizedPnl.toString()).toBe("100000");
  });
});

describe("portfolio", () => {
  it("moves cash by notional and commission, and reports exposure", () => {
    const portfolio = new Portfolio(10_000);
    portfolio.applyFill(fill("BUY", 10, 100, 1));
    expect(portfolio.cash.toNumber()).toBe(8999);
    expect(portfolio.equity(() => 110).toNumber()).toBe(10_099);
    expect(portfolio.grossExposure(() => 110).toNumber()).toBe(1100);
    portfolio.applyFill({ ...fill("SELL", 5, 20), symbol: "ABC" });
    const marks = (symbol: string) => (symbol === "ABC" ? 20 : 110);
    expect(portfolio.netExposure(marks).toNumber()).toBe(1000);
    expect(portfolio.grossExposure(marks).toNumber()).toBe(1200);
    expect(portfolio.equity(marks).toNumber()).toBe(10_099);
  });

  it("reconciles: realized + unrealized - commissions always equals the change in equity", () => {
    const fills = fc.array(
      fc.record({
        side: fc.constantFrom<Side>("BUY", "SELL"),
        quantity: fc.integer({ min: 1, max: 500 }),
        cents: fc.integer({ min: 1, max: 50_000 }),
        commissionCents: fc.integer({ min: 0, max: 500 }),
      }),
      { minLength: 1, maxLength: 40 },
    );
    fc.assert(
      fc.property(fills, fc.integer({ min: 1, max: 50_000 }), (trades, markCents) => {
        const portfolio = new Portfolio(1_000_000);
        for (const trade of trades) portfolio.applyFill(fill(trade.side, trade.quantity, trade.cents / 100, trade.commissionCents / 100));
        const mark = markCents / 100;
        const position = portfolio.position("XYZ");
        const pnl = position.realizedPnl.plus(position.unrealizedPnl(mark)).minus(portfolio.commissions);
        expect(pnl.eq(portfolio.equity(() => mark).minus(decimalOf(1_000_000)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
