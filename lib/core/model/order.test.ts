import { describe, expect, it } from "vitest";
import { bracketOrders, displayStatus, Order, OrderStateError, type OrderRequest } from "./order";

const limitBuy: OrderRequest = { id: 7, symbol: "AAPL", side: "BUY", quantity: 100, type: "LMT", limitPrice: 150, timeInForce: "DAY" };

describe("order state machine", () => {
  it("walks the normal life of an order, partial fills shown as a derived status", () => {
    const order = new Order(limitBuy);
    expect(order.status).toBe("PendingSubmit");
    order.transition("Submitted");
    order.applyFill(40, 150);
    expect(order.status).toBe("Submitted");
    expect(displayStatus(order)).toBe("PartiallyFilled");
    expect(order.remaining).toBe(60);
    order.applyFill(60, 149);
    expect(order.status).toBe("Filled");
    expect(displayStatus(order)).toBe("Filled");
    expect(order.averageFillPrice).toBeCloseTo(149.4, 10);
  });

  it("treats a repeated status as a no-op, as brokers resend them", () => {
    const order = new Order(limitBuy);
    order.transition("Submitted");
    expect(() => order.transition("Submitted")).not.toThrow();
  });

  it("rejects illegal transitions", () => {
    const filled = new Order(limitBuy);
    filled.transition("Submitted");
    filled.applyFill(100, 150);
    expect(() => filled.transition("Cancelled")).toThrow(OrderStateError);
    expect(() => filled.transition("Submitted")).toThrow(/illegal transition Filled -> Submitted/);
    const cancelled = new Order(limitBuy);
    cancelled.transition("Cancelled");
    expect(() => cancelled.transition("Submitted")).toThrow(OrderStateError);
    const fresh = new Order(limitBuy);
    expect(() => fresh.transition("Filled")).toThrow(/still open/);
  });

  it("lets a cancel lose the race against a fill", () => {
    const order = new Order(limitBuy);
    order.transition("Submitted");
    order.transition("PendingCancel");
    order.applyFill(100, 150);
    expect(order.status).toBe("Filled");
  });

  it("keeps a rejection's reason", () => {
    const order = new Order(limitBuy);
    order.transition("Inactive", "price not on tick");
    expect(order.reason).toBe("price not on tick");
    expect(order.isWorking).toBe(false);
  });

  it("makes overfills and fills of dead orders impossible", () => {
    const order = new Order(limitBuy);
    order.transition("Submitted");
    order.applyFill(90, 150);
    expect(() => order.applyFill(11, 150)).toThrow(/overfill/);
    const cancelled = new Order(limitBuy);
    cancelled.transition("Cancelled");
    expect(() => cancelled.applyFill(1, 150)).toThrow(/cannot fill in status Cancelled/);
    expect(() => new Order({ ...limitBuy, quantity: 0 })).toThrow(/positive/);
  });

  it("amends a working order but never below what has filled", () => {
    const order = new Order(limitBuy);
    order.transition("Submitted");
    order.applyFill(30, 150);
    order.amend({ limitPrice: 151 });
    expect(order.request).toMatchObject({ limitPrice: 151, quantity: 100 });
    expect(() => order.amend({ quantity: 30 })).toThrow(/must exceed/);
    expect(() => order.amend({ stopPrice: 140 })).toThrow(/no such price/);
  });
});

describe("bracket", () => {
  it("ties a take-profit and a stop to the parent in one OCA group", () => {
    const parent: OrderRequest = { ...limitBuy, type: "MKT" } as OrderRequest;
    const [, takeProfit, stop] = bracketOrders(parent, { takeProfit: 160, stopLoss: 145 }, { takeProfit: 8, stopLoss: 9 });
    expect(takeProfit).toMatchObject({ side: "SELL", type: "LMT", limitPrice: 160, parentId: 7, quantity: 100 });
    expect(stop).toMatchObject({ side: "SELL", type: "STP", stopPrice: 145, parentId: 7 });
    expect(takeProfit.ocaGroup).toBe(stop.ocaGroup);
  });
});
