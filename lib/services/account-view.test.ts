import { describe, expect, it } from "vitest";
import { AccountView } from "./account-view";

const today = (instant: Date) => instant.toISOString().startsWith("2026-11-20");
const position = (symbol: string, quantity: number, avgCost: number) => ({ account: "DU1", symbol, conId: null, currency: "USD", quantity, avgCost });
const execution = (execId: string, executedAt: string) => ({
  execId,
  orderId: 7,
  clientId: 0,
  permId: null,
  account: "DU1",
  symbol: "AAPL",
  conId: null,
  currency: "USD",
  exchange: "ISLAND",
  side: "SELL" as const,
  shares: 10,
  price: 190.5,
  cumQty: 10,
  avgPrice: 190.5,
  orderRef: null,
  executedAt: new Date(executedAt),
});

describe("AccountView", () => {
  it("marks positions to the latest trade price, long and short", () => {
    const view = new AccountView(today);
    view.applyPosition(position("AAPL", 100, 180));
    view.applyPosition(position("TSLA", -30, 250));
    view.applyQuote({ symbol: "AAPL", bid: null, ask: null, last: 182.5, volume: null });
    view.applyQuote({ symbol: "TSLA", bid: null, ask: null, last: 240, volume: null });
    const rows = view.snapshot().positions;
    expect(rows.find((row) => row.symbol === "AAPL")?.unrealizedPnl).toBeCloseTo(250, 10);
    expect(rows.find((row) => row.symbol === "TSLA")?.unrealizedPnl).toBeCloseTo(300, 10);
  });

  it("drops closed positions from the open list but keeps the row at zero", () => {
    const view = new AccountView(today);
    view.applyPosition(position("AAPL", 100, 180));
    view.applyPosition(position("AAPL", 0, 0));
    expect(view.openPositions()).toEqual([]);
    expect(view.snapshot().positions[0].quantity).toBe(0);
  });

  it("lists only working orders and never revives a cancelled one", () => {
    const view = new AccountView(today);
    const order = { orderId: 5, clientId: 0, permId: null, parentId: null, account: "DU1", symbol: "MSFT", conId: null, secType: "STK", exchange: "SMART", currency: "USD", side: "BUY" as const, orderType: "LMT", quantity: 10, limitPrice: 300, auxPrice: null, timeInForce: "DAY", ocaGroup: null, orderRef: null, status: "Submitted" };
    view.applyOpenOrder(order);
    expect(view.workingOrders()).toHaveLength(1);
    view.applyOrderStatus({ orderId: 5, status: "Cancelled", filled: 0, remaining: 10, avgFillPrice: null, lastFillPrice: null, permId: null, clientId: 0, whyHeld: null });
    view.applyOpenOrder(order);
    expect(view.workingOrders()).toEqual([]);
  });

  it("keeps today's fills once each and joins a commission that arrives first", () => {
    const view = new AccountView(today);
    view.applyCommission({ execId: "e1", commission: 1.05, currency: "USD", realizedPnl: 12.5 });
    view.applyExecution(execution("e1", "2026-11-20T15:00:00Z"));
    view.applyExecution(execution("e1", "2026-11-20T15:00:00Z"));
    view.applyExecution(execution("e0", "2026-11-19T15:00:00Z"));
    expect(view.snapshot().fills).toEqual([expect.objectContaining({ execId: "e1", commission: 1.05, realizedPnl: 12.5 })]);
  });

  it("reads account values in the base currency only", () => {
    const view = new AccountView(today);
    view.applyAccountValue("NetLiquidation", "100250.5", "USD", "DU1");
    view.applyAccountValue("NetLiquidation", "1", "EUR", "DU1");
    view.applyAccountValue("NetLiquidation", "not a number", "USD", "DU1");
    expect(view.snapshot().account).toMatchObject({ account: "DU1", netLiquidation: 100250.5 });
  });
});
