import { describe, expect, it } from "vitest";
import type { OrderRequest } from "@/lib/core/model/order";
import { applyModification, coreSideOf, coreStatusOf, orderErrorMeaning, toIbOrder } from "./order-mapping";

const base = { id: 7, symbol: "AAPL", side: "BUY", quantity: 10, timeInForce: "DAY" } as const;

describe("core order -> TWS order", () => {
  it("market: no prices, transmit explicit, orderRef carried", () => {
    expect(toIbOrder({ ...base, type: "MKT" }, { orderRef: "d-1" })).toEqual({
      action: "BUY",
      totalQuantity: 10,
      orderType: "MKT",
      tif: "DAY",
      transmit: true,
      orderRef: "d-1",
    });
  });

  it("limit, stop, stop-limit put prices in lmtPrice / auxPrice", () => {
    expect(toIbOrder({ ...base, type: "LMT", limitPrice: 101.25 }, { orderRef: "r" })).toMatchObject({ orderType: "LMT", lmtPrice: 101.25 });
    expect(toIbOrder({ ...base, side: "SELL", type: "STP", stopPrice: 99.5 }, { orderRef: "r" })).toMatchObject({ action: "SELL", orderType: "STP", auxPrice: 99.5 });
    const stopLimit = toIbOrder({ ...base, type: "STP LMT", stopPrice: 100, limitPrice: 100.5, timeInForce: "GTC" }, { orderRef: "r" });
    expect(stopLimit).toMatchObject({ orderType: "STP LMT", auxPrice: 100, lmtPrice: 100.5, tif: "GTC" });
  });

  it("trailing stop by amount (auxPrice) or percent (trailingPercent), with an optional initial stop", () => {
    expect(toIbOrder({ ...base, side: "SELL", type: "TRAIL", trail: { amount: 1.5 } }, { orderRef: "r" })).toMatchObject({ orderType: "TRAIL", auxPrice: 1.5 });
    const percent = toIbOrder({ ...base, side: "SELL", type: "TRAIL", trail: { percent: 2 }, stopPrice: 98 }, { orderRef: "r" });
    expect(percent).toMatchObject({ orderType: "TRAIL", trailingPercent: 2, trailStopPrice: 98 });
    expect(percent).not.toHaveProperty("auxPrice");
  });

  it("bracket child: parentId, OCA group with type 1 unless told, transmit false when asked", () => {
    const child: OrderRequest = { ...base, id: 9, side: "SELL", type: "LMT", limitPrice: 110, parentId: 7, ocaGroup: "bracket-7", timeInForce: "GTC" };
    expect(toIbOrder(child, { orderRef: "r", transmit: false })).toMatchObject({ parentId: 7, ocaGroup: "bracket-7", ocaType: 1, transmit: false });
    expect(toIbOrder(child, { orderRef: "r", ocaType: 3 })).toMatchObject({ ocaType: 3, transmit: true });
  });
});

describe("TWS -> core", () => {
  it("maps every documented status, ApiCancelled as Cancelled, unknown as undefined", () => {
    expect(coreStatusOf("ApiPending")).toBe("PendingSubmit");
    expect(coreStatusOf("PreSubmitted")).toBe("PreSubmitted");
    expect(coreStatusOf("Submitted")).toBe("Submitted");
    expect(coreStatusOf("ApiCancelled")).toBe("Cancelled");
    expect(coreStatusOf("PendingCancel")).toBe("PendingCancel");
    expect(coreStatusOf("Filled")).toBe("Filled");
    expect(coreStatusOf("Inactive")).toBe("Inactive");
    expect(coreStatusOf("Whatever")).toBeUndefined();
  });

  it("sides: SSHORT is a sell; anything else is refused by name", () => {
    expect(coreSideOf("BUY")).toBe("BUY");
    expect(coreSideOf("SSHORT")).toBe("SELL");
    expect(() => coreSideOf("HOLD")).toThrow(/HOLD/);
  });

  it("error codes: rejections, cancel, warnings", () => {
    expect(orderErrorMeaning(201)).toBe("rejected");
    expect(orderErrorMeaning(110)).toBe("rejected");
    expect(orderErrorMeaning(202)).toBe("cancelled");
    expect(orderErrorMeaning(399)).toBe("warning");
    expect(orderErrorMeaning(2109)).toBe("other");
  });
});

describe("modifications re-send the whole order", () => {
  it("changes quantity and prices the order has, and refuses prices it has not", () => {
    const stop: OrderRequest = { ...base, side: "SELL", type: "STP", stopPrice: 95 };
    expect(applyModification(stop, { stopPrice: 96, quantity: 5 })).toEqual({ ...stop, stopPrice: 96, quantity: 5 });
    expect(() => applyModification(stop, { limitPrice: 1 })).toThrow(/no limit price/);
    expect(() => applyModification({ ...base, type: "MKT" }, { stopPrice: 1 })).toThrow(/no stop price/);
  });
});
