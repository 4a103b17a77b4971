import { describe, expect, it } from "vitest";
import { classifyNotice, FarmStates } from "./notices";
import { classifyOrderError } from "./mapping";
import { Entitlements } from "./entitlements";

describe("connection notices", () => {
  it("classifies 1100/1101/1102 and the farm codes", () => {
    expect([1100, 1101, 1102, 2103, 2104, 2105, 2106, 2157, 2158, 2119].map((code) => classifyNotice(code, "").kind)).toEqual([
      "connectivity-lost",
      "restored-data-lost",
      "restored-data-kept",
      "farm-broken",
      "farm-ok",
      "farm-broken",
      "farm-ok",
      "farm-broken",
      "farm-ok",
      "info",
    ]);
  });

  it("tracks each farm by the name after the colon, keeping the time of the last change", () => {
    const farms = new FarmStates();
    farms.apply(classifyNotice(2104, "Market data farm connection is OK:usfarm"), 1_000);
    farms.apply(classifyNotice(2106, "HMDS data farm connection is OK:ushmds"), 1_000);
    farms.apply(classifyNotice(2103, "Market data farm connection is broken:usfarm"), 2_000);
    farms.apply(classifyNotice(2103, "Market data farm connection is broken:usfarm"), 3_000);
    farms.apply(classifyNotice(1100, "Connectivity between IB and Trader Workstation has been lost."), 3_000);
    expect(farms.snapshot()).toEqual({
      usfarm: { state: "broken", since: new Date(2_000).toISOString() },
      ushmds: { state: "ok", since: new Date(1_000).toISOString() },
    });
  });
});

describe("order error codes", () => {
  it("treats 202 as a cancel confirmation and 399 as a warning, not a rejection", () => {
    expect(classifyOrderError(202)).toBe("cancelled");
    expect(classifyOrderError(399)).toBe("warning");
    expect(classifyOrderError(201)).toBe("rejected");
    expect(classifyOrderError(103)).toBe("duplicate-id");
    expect(classifyOrderError(110)).toBe("rejected");
    expect(classifyOrderError(10147)).toBe("cancel-refused");
    expect(classifyOrderError(10148)).toBe("cancel-refused");
  });

  it("leaves a modified order live on 110/321/399", () => {
    expect(classifyOrderError(110, { modifying: true })).toBe("warning");
    expect(classifyOrderError(321, { modifying: true })).toBe("warning");
    expect(classifyOrderError(201, { modifying: true })).toBe("rejected");
  });
});

describe("market-data entitlements", () => {
  it("labels symbols from ticks, market data types and error codes", () => {
    const entitlements = new Entitlements();
    entitlements.onTick("SPY");
    entitlements.onError("AAPL", 10167);
    entitlements.onError("MSFT", 354);
    entitlements.onMarketDataType("TSLA", 2);
    entitlements.onError("NVDA", 10197);
    entitlements.onError("QQQ", 10090);
    expect(["SPY", "AAPL", "MSFT", "TSLA", "NVDA", "QQQ", "JPM"].map((symbol) => entitlements.of(symbol))).toEqual([
      "live",
      "delayed",
      "none",
      "frozen",
      "none",
      "delayed",
      "none",
    ]);
  });
});
