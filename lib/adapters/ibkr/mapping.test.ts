import { describe, expect, it } from "vitest";
import {
  BrokerMessageError,
  parseIbTimestamp,
  toBrokerCommission,
  toBrokerExecution,
  toBrokerOrder,
  toBrokerOrderStatus,
  toBrokerPosition,
  UNSET_DOUBLE,
  UNSET_INTEGER,
} from "./mapping";

const tsla = { conId: 76792991, symbol: "TSLA", secType: "STK", exchange: "SMART", currency: "USD" };

describe("IB -> Kestrel mapping", () => {
  it("maps an open market order, dropping the 0.0 prices TWS sends for MKT", () => {
    const order = toBrokerOrder(13, tsla, { action: "BUY", totalQuantity: 100, orderType: "MKT", lmtPrice: 0, auxPrice: 0, tif: "DAY", permId: 1376327563, clientId: 0, account: "DU1234567", parentId: 0, ocaGroup: "", orderRef: "" }, "Filled");
    expect(order).toMatchObject({ orderId: 13, symbol: "TSLA", side: "BUY", orderType: "MKT", quantity: 100, limitPrice: null, auxPrice: null, permId: 1376327563, parentId: null, ocaGroup: null, orderRef: null, status: "Filled" });
  });

  it("keeps a limit order's price and treats double max as unset", () => {
    const order = toBrokerOrder(42, tsla, { action: "SELL", totalQuantity: 5, orderType: "LMT", lmtPrice: 251.37, auxPrice: UNSET_DOUBLE }, "Submitted");
    expect(order.limitPrice).toBe(251.37);
    expect(order.auxPrice).toBeNull();
    expect(order.side).toBe("SELL");
  });

  it("refuses an open order without an action, naming the field", () => {
    expect(() => toBrokerOrder(1, tsla, { totalQuantity: 1, orderType: "MKT" }, "Submitted")).toThrow(/action/);
  });

  it("maps order status with unset markers to nulls", () => {
    const status = toBrokerOrderStatus({ orderId: 13, status: "PreSubmitted", filled: 0, remaining: 100, avgFillPrice: 0, lastFillPrice: 0, permId: 1376327563, clientId: 0, whyHeld: "" });
    expect(status).toEqual({ orderId: 13, status: "PreSubmitted", filled: 0, remaining: 100, avgFillPrice: null, lastFillPrice: null, permId: 1376327563, clientId: 0, whyHeld: null });
  });

  it("maps an execution with side BOT and a zoneless time", () => {
    const execution = toBrokerExecution(tsla, { execId: "00025b46.63f8f39c.01.01", orderId: 13, clientId: 0, permId: 1376327563, acctNumber: "DU1234567", exchange: "ISLAND", side: "BOT", shares: 100, price: 196.52, cumQty: 100, avgPrice: 196.52, time: "20230224  12:04:56" }, "America/New_York");
    expect(execution.side).toBe("BUY");
    expect(execution.executedAt.toISOString()).toBe("2023-02-24T17:04:56.000Z");
  });

  it("rejects an execution with a non-positive price", () => {
    expect(() => toBrokerExecution(tsla, { execId: "x", orderId: 1, side: "SLD", shares: 1, price: 0, time: "20230224 12:00:00" }, "UTC")).toThrow(BrokerMessageError);
  });

  it("maps the opening-fill commission report whose realized P&L is double max", () => {
    expect(toBrokerCommission({ execId: "00025b46.63f8f39c.01.01", commission: 1, currency: "USD", realizedPNL: UNSET_DOUBLE })).toEqual({ execId: "00025b46.63f8f39c.01.01", commission: 1, currency: "USD", realizedPnl: null });
  });

  it("maps a short position and an unset average cost", () => {
    expect(toBrokerPosition("DU1", tsla, -30, UNSET_INTEGER)).toMatchObject({ symbol: "TSLA", quantity: -30, avgCost: 0 });
  });

  it("parses TWS timestamps with a zone, without one, and as epoch seconds", () => {
    expect(new Date(parseIbTimestamp("20230306 12:28:30 America/Los_Angeles", "UTC")).toISOString()).toBe("2023-03-06T20:28:30.000Z");
    expect(new Date(parseIbTimestamp("20230306-12:28:30", "UTC")).toISOString()).toBe("2023-03-06T12:28:30.000Z");
    expect(parseIbTimestamp("1678105710", "UTC")).toBe(1_678_105_710_000);
    expect(() => parseIbTimestamp("yesterday", "UTC")).toThrow(/Unrecognised TWS timestamp/);
  });
});
