import { describe, expect, it } from "vitest";
import { exchangeCalendar } from "@/lib/core/calendar";
import { alwaysApprove } from "@/lib/core/engine/risk-gates";
import type { RiskGate, TradeIntent } from "@/lib/core/ports";
import { entryRulesGate, isInsideWindow, entryWindowSchema } from "./trading-window";

const nyse = exchangeCalendar("XNYS");
const nse = exchangeCalendar("XNSE");
const window = (start: string | null, end: string | null) => entryWindowSchema.parse({ start, end });
// Wednesday 18 Nov 2026; New York is UTC-5.
const ny = (hour: number, minute = 0) => Date.UTC(2026, 10, 18, hour + 5, minute);

describe("trading windows in the exchange's time zone", () => {
  it("an open window is the regular session, open inclusive and close exclusive", () => {
    expect(isInsideWindow(ny(9, 29), window(null, null), nyse)).toBe(false);
    expect(isInsideWindow(ny(9, 30), window(null, null), nyse)).toBe(true);
    expect(isInsideWindow(ny(15, 59), window(null, null), nyse)).toBe(true);
    expect(isInsideWindow(ny(16, 0), window(null, null), nyse)).toBe(false);
  });

  it("a window is clipped to the session and read in local time", () => {
    expect(isInsideWindow(ny(10, 0), window("10:00", "11:00"), nyse)).toBe(true);
    expect(isInsideWindow(ny(11, 0), window("10:00", "11:00"), nyse)).toBe(false);
    expect(isInsideWindow(ny(8, 0), window("07:00", "12:00"), nyse)).toBe(false);
    // 10:00 in Mumbai is 04:30 UTC.
    expect(isInsideWindow(Date.UTC(2026, 10, 18, 4, 30), window("10:00", "11:00"), nse)).toBe(true);
  });

  it("weekends, holidays and early closes", () => {
    expect(isInsideWindow(Date.UTC(2026, 10, 21, 17), window(null, null), nyse)).toBe(false);
    expect(isInsideWindow(Date.UTC(2026, 10, 26, 17), window(null, null), nyse)).toBe(false);
    // The day after Thanksgiving closes at 13:00.
    expect(isInsideWindow(Date.UTC(2026, 10, 27, 18, 30), window(null, "15:00"), nyse)).toBe(false);
    expect(isInsideWindow(Date.UTC(2026, 10, 27, 17, 30), window(null, "15:00"), nyse)).toBe(true);
  });

  it("validates windows, naming the field", () => {
    expect(() => entryWindowSchema.parse({ start: "9:30" })).toThrow(/HH:MM/);
    expect(() => entryWindowSchema.parse({ start: "11:00", end: "10:00" })).toThrow(/start must be before end/);
  });
});

describe("entry rules in front of the risk gate", () => {
  const entry: TradeIntent = { symbol: "AAPL", side: "BUY", quantity: 10, referencePrice: 100, purpose: "entry", reason: "test" };
  const state = { position: 0, equity: 10_000, cash: 10_000 };

  it("counts trade cycles per symbol per exchange day, and only approved entries count", () => {
    let now = ny(10);
    let denyNext = true;
    const next: RiskGate = { check: () => (denyNext ? { approved: false, reason: "risk says no" } : { approved: true }) };
    const gate = entryRulesGate({ window: window(null, null), calendar: nyse, maxCyclesPerDay: 2, now: () => now }, next);
    expect(gate.check(entry, state)).toEqual({ approved: false, reason: "risk says no" });
    denyNext = false;
    expect(gate.check(entry, state).approved).toBe(true);
    expect(gate.check(entry, state).approved).toBe(true);
    expect(gate.check(entry, state)).toEqual({ approved: false, reason: "AAPL: 2 of 2 trade cycles used today" });
    expect(gate.check({ ...entry, symbol: "MSFT" }, state).approved).toBe(true);
    expect(gate.check({ ...entry, purpose: "exit" }, state).approved).toBe(true);
    now = ny(10) + 86_400_000;
    expect(gate.check(entry, state).approved).toBe(true);
  });

  it("a block (delayed data) and the window refuse entries but never exits", () => {
    let now = ny(10);
    const gate = entryRulesGate({ window: window("10:00", "10:30"), calendar: nyse, maxCyclesPerDay: 5, now: () => now, blocked: (symbol) => (symbol === "TSLA" ? "delayed" : null) }, alwaysApprove);
    expect(gate.check({ ...entry, symbol: "TSLA" }, state)).toEqual({ approved: false, reason: "delayed" });
    expect(gate.check({ ...entry, symbol: "TSLA", purpose: "protect" }, state).approved).toBe(true);
    now = ny(10, 45);
    expect(gate.check(entry, state)).toEqual({ approved: false, reason: "outside the trading window (10:00-10:30 America/New_York)" });
    expect(gate.check({ ...entry, purpose: "exit" }, state).approved).toBe(true);
  });
});
