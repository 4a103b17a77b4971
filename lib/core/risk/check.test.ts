import { describe, expect, it } from "vitest";
import { check, intentKey, isReducing, type RiskIntent, type RiskSnapshot } from "./check";
import { parseRiskLimits } from "./limits";
import { RiskEngine } from "./gate";

const NOW = Date.UTC(2026, 2, 2, 15, 0); // Monday 10:00 New York
const limits = parseRiskLimits({});

const entry = (overrides: Partial<RiskIntent> = {}): RiskIntent => ({
  symbol: "AAPL",
  side: "BUY",
  quantity: 10,
  referencePrice: 100,
  purpose: "entry",
  reason: "test",
  ...overrides,
});

const snapshot = (overrides: Partial<RiskSnapshot> = {}): RiskSnapshot => ({
  now: NOW,
  mode: "ACTIVE",
  equity: 100_000,
  positions: [],
  lastPrice: 100,
  marketData: "live",
  sessionOpen: true,
  recentOrders: [],
  recentIntents: [],
  ...overrides,
});

describe("check", () => {
  it("approves an ordinary entry", () => {
    expect(check(entry(), snapshot(), limits)).toEqual({ approved: true });
  });

  it("HALTED refuses everything, even an exit", () => {
    const exit = entry({ side: "SELL", purpose: "exit" });
    expect(check(exit, snapshot({ mode: "HALTED", positions: [{ symbol: "AAPL", quantity: 10, price: 100 }] }), limits)).toEqual({
      approved: false,
      rule: "trading-state",
      reason: "trading is HALTED: only cancels and flatten are allowed until someone resumes",
    });
  });

  it("REDUCING refuses an order that grows or flips a position and passes one that shrinks it", () => {
    const held = { positions: [{ symbol: "AAPL", quantity: 10, price: 100 }], mode: "REDUCING" as const };
    expect(check(entry(), snapshot(held), limits)).toEqual({
      approved: false,
      rule: "trading-state",
      reason: "trading is REDUCING: BUY 10 AAPL would not reduce the position of 10",
    });
    expect(check(entry({ side: "SELL", quantity: 20 }), snapshot(held), limits)).toMatchObject({ approved: false, rule: "trading-state" });
    expect(check(entry({ side: "SELL", quantity: 4 }), snapshot(held), limits)).toEqual({ approved: true });
  });

  it("data entitlement: entries need live data; exits do not", () => {
    expect(check(entry(), snapshot({ marketData: "delayed" }), limits)).toEqual({
      approved: false,
      rule: "data-entitlement",
      reason: "AAPL has only delayed market data; entries need live data",
    });
    expect(check(entry(), snapshot({ marketData: "none" }), limits)).toMatchObject({ reason: "AAPL has no market data; entries need live data" });
    const held = [{ symbol: "AAPL", quantity: 10, price: 100 }];
    expect(check(entry({ side: "SELL" }), snapshot({ marketData: "none", positions: held }), limits)).toEqual({ approved: true });
  });

  it("trading window: closed session and outside the local window", () => {
    expect(check(entry(), snapshot({ sessionOpen: false }), limits)).toEqual({
      approved: false,
      rule: "trading-window",
      reason: "the exchange session for AAPL is closed",
    });
    const windowed = parseRiskLimits({ tradingWindow: { start: "10:30", end: "15:45", timeZone: "America/New_York" } });
    expect(check(entry(), snapshot(), windowed)).toEqual({
      approved: false,
      rule: "trading-window",
      reason: "10:00 America/New_York is outside the trading window 10:30-15:45",
    });
    expect(check(entry(), snapshot({ now: NOW + 3_600_000 }), windowed)).toEqual({ approved: true });
  });

  it("duplicate intent within the window", () => {
    const recentIntents = [{ key: intentKey(entry()), at: NOW - 2_500 }];
    expect(check(entry(), snapshot({ recentIntents }), limits)).toEqual({
      approved: false,
      rule: "duplicate-intent",
      reason: "the same BUY 10 AAPL was approved 2.5s ago (window 10s)",
    });
    expect(check(entry(), snapshot({ recentIntents: [{ key: intentKey(entry()), at: NOW - 11_000 }] }), limits)).toEqual({ approved: true });
    expect(check(entry({ strategy: "other" }), snapshot({ recentIntents }), limits)).toEqual({ approved: true });
  });

  it("a reversal's exit and entry on the same side and size are two decisions, not a duplicate", () => {
    const long = [{ symbol: "AAPL", quantity: 10, price: 100 }];
    const closed = [{ key: intentKey(entry({ side: "SELL", purpose: "exit" })), at: NOW - 500 }];
    expect(check(entry({ side: "SELL" }), snapshot({ recentIntents: closed, positions: long }), limits)).toEqual({ approved: true });
    expect(check(entry({ side: "SELL", purpose: "exit" }), snapshot({ recentIntents: closed, positions: long }), limits)).toMatchObject({ approved: false, rule: "duplicate-intent" });
  });

  it("orders per minute, protective orders exempt", () => {
    const recentOrders = Array.from({ length: 30 }, (_, i) => NOW - i * 1_000);
    expect(check(entry(), snapshot({ recentOrders }), limits)).toEqual({
      approved: false,
      rule: "orders-per-minute",
      reason: "30 orders in the last minute reach the limit of 30",
    });
    const held = [{ symbol: "AAPL", quantity: 10, price: 100 }];
    expect(check(entry({ side: "SELL", purpose: "protect" }), snapshot({ recentOrders, positions: held }), limits)).toEqual({ approved: true });
  });

  it("fat finger: a limit too far from the last trade, or no last trade at all", () => {
    expect(check(entry({ limitPrice: 110 }), snapshot(), limits)).toEqual({
      approved: false,
      rule: "fat-finger",
      reason: "limit 110 is 10.00% from the last trade 100 in AAPL (band 5%)",
    });
    expect(check(entry({ limitPrice: 104 }), snapshot(), limits)).toEqual({ approved: true });
    expect(check(entry({ limitPrice: 104 }), snapshot({ lastPrice: null }), limits)).toMatchObject({
      reason: "no last trade for AAPL to compare the limit 104 with",
    });
  });

  it("risk per trade from stop distance x quantity", () => {
    expect(check(entry({ quantity: 500, stopPrice: 97 }), snapshot(), limits)).toEqual({
      approved: false,
      rule: "risk-per-trade",
      reason: "risk 1500.00 (500 x stop distance 3.00) exceeds 1% of equity (1000.00)",
    });
    expect(check(entry({ quantity: 200, stopPrice: 97 }), snapshot(), limits)).toEqual({ approved: true });
    expect(check(entry(), snapshot(), parseRiskLimits({ requireStop: true }))).toEqual({
      approved: false,
      rule: "risk-per-trade",
      reason: "the AAPL entry has no stop, so its risk cannot be measured",
    });
  });

  it("position size and notional per symbol", () => {
    const small = parseRiskLimits({ maxPositionShares: 15, maxPositionNotional: 1_200 });
    const held = [{ symbol: "AAPL", quantity: 8, price: 100 }];
    expect(check(entry(), snapshot({ positions: held }), small)).toEqual({
      approved: false,
      rule: "position-size",
      reason: "position of 18 AAPL would exceed the 15 share limit",
    });
    expect(check(entry({ quantity: 5 }), snapshot({ positions: held }), small)).toEqual({
      approved: false,
      rule: "position-notional",
      reason: "position worth 1300.00 in AAPL would exceed the 1200 limit",
    });
  });

  it("max open positions counts a new symbol only", () => {
    const tight = parseRiskLimits({ maxOpenPositions: 2 });
    const positions = [
      { symbol: "MSFT", quantity: 5, price: 100 },
      { symbol: "AAPL", quantity: 5, price: 100 },
    ];
    expect(check(entry({ symbol: "NVDA" }), snapshot({ positions }), tight)).toEqual({
      approved: false,
      rule: "open-positions",
      reason: "2 open positions already reach the limit of 2; NVDA would be one more",
    });
    expect(check(entry({ symbol: "AAPL" }), snapshot({ positions }), tight)).toEqual({ approved: true });
  });

  it("gross, net exposure and concentration as percent of equity", () => {
    const wide = parseRiskLimits({ maxConcentrationPct: 100, maxPositionNotional: 1e9, maxNetExposurePct: 1000 });
    const positions = [
      { symbol: "MSFT", quantity: 1_000, price: 100 },
      { symbol: "TSLA", quantity: -900, price: 100 },
    ];
    expect(check(entry({ quantity: 200 }), snapshot({ positions }), wide)).toEqual({
      approved: false,
      rule: "gross-exposure",
      reason: "gross exposure would be 210000.00 (210.0% of equity 100000.00), above the 200% limit",
    });
    const net = parseRiskLimits({ maxConcentrationPct: 100, maxPositionNotional: 1e9, maxNetExposurePct: 30 });
    expect(check(entry({ quantity: 300 }), snapshot({ positions: [positions[0]] }), net)).toEqual({
      approved: false,
      rule: "net-exposure",
      reason: "net exposure would be 130000.00 (130.0% of equity 100000.00), above the 30% limit",
    });
    expect(check(entry({ quantity: 300 }), snapshot(), limits)).toEqual({
      approved: false,
      rule: "concentration",
      reason: "AAPL concentration would be 30000.00 (30.0% of equity 100000.00), above the 25% limit",
    });
    expect(check(entry(), snapshot({ equity: 0 }), limits)).toMatchObject({ rule: "gross-exposure", reason: "equity is 0, so no exposure can be taken" });
  });
});

describe("isReducing", () => {
  it("only shrinks, never flips", () => {
    expect(isReducing({ side: "SELL", quantity: 10 }, 10)).toBe(true);
    expect(isReducing({ side: "SELL", quantity: 11 }, 10)).toBe(false);
    expect(isReducing({ side: "BUY", quantity: 5 }, -10)).toBe(true);
    expect(isReducing({ side: "BUY", quantity: 5 }, 0)).toBe(false);
  });
});

describe("parseRiskLimits", () => {
  it("names the bad field", () => {
    expect(() => parseRiskLimits({ maxOrdersPerMinute: 2.5, fatFingerPct: -1 })).toThrow(
      "Invalid risk limits: maxOrdersPerMinute: maxOrdersPerMinute must be a whole number; fatFingerPct: fatFingerPct must be above 0",
    );
    expect(() => parseRiskLimits({ tradingWindow: { start: "16:00", end: "09:30", timeZone: "America/New_York" } })).toThrow(
      "tradingWindow: the trading window must start before it ends",
    );
  });
});

describe("RiskEngine (the core's RiskGate)", () => {
  it("remembers approvals for the duplicate guard and reports refusals", () => {
    let now = NOW;
    const denied: string[] = [];
    const gate = new RiskEngine({
      snapshot: () => ({ now, mode: "ACTIVE", equity: 100_000, positions: [], lastPrice: 100, marketData: "live", sessionOpen: true }),
      limits: () => limits,
      onDenied: (intent, verdict) => denied.push(`${intent.symbol} ${verdict.rule}`),
    });
    const state = { position: 0, equity: 100_000, cash: 100_000 };
    expect(gate.check(entry(), state).approved).toBe(true);
    now += 1_000;
    expect(gate.check(entry(), state)).toMatchObject({ approved: false, rule: "duplicate-intent" });
    now += 10_000;
    expect(gate.check(entry(), state).approved).toBe(true);
    expect(denied).toEqual(["AAPL duplicate-intent"]);
  });
});
