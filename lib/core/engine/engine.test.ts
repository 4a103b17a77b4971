import { describe, expect, it } from "vitest";
import { runBacktest, type BacktestConfig } from "../backtest/run";
import { percentCommission, perShareCommission } from "../model/commission";
import { defineInstrument } from "../model/instrument";
import type { DomainEvent } from "../ports";
import { barsFromCloses } from "../strategies/testing";
import type { Strategy, StrategyIntent } from "../strategies/types";
import { barAt } from "../data/bars";
import { SimulatedBroker } from "../backtest/simulated-broker";
import { zeroCommission } from "../model/commission";
import { Portfolio } from "../model/portfolio";
import { TradingEngine } from "./engine";
import { maxPositionGate } from "./risk-gates";

const instrument = defineInstrument({ symbol: "TEST", timeZone: "UTC" });

/** Submits the planned intents on the given bars; nothing else. */
function scripted(plan: Record<number, StrategyIntent[]>): Strategy {
  let bar = -1;
  return {
    name: "scripted",
    onBar(_bar, context) {
      bar++;
      for (const intent of plan[bar] ?? []) context.submit(intent);
    },
  };
}

function run(closes: number[], plan: Record<number, StrategyIntent[]>, overrides: Partial<BacktestConfig> = {}) {
  const events: DomainEvent[] = [];
  const result = runBacktest({
    bars: barsFromCloses(closes, { spread: 0.5 }),
    instrument,
    strategy: scripted(plan),
    initialCapital: 10_000,
    fill: "close",
    events: { emit: (event) => events.push(event) },
    ...overrides,
  });
  return { result, events, orders: result.orders };
}

const long = (extra: Partial<Extract<StrategyIntent, { kind: "enter" }>> = {}): StrategyIntent => ({ kind: "enter", direction: "long", reason: "test", ...extra });

describe("sizing", () => {
  it("all-in with a percent commission buys cash / (price x (1 + c)) shares when fractional", () => {
    const { result } = run([40, 41, 42], { 0: [long()] }, { commission: percentCommission(0.001), fractional: true });
    expect(result.trades[0].quantity).toBeCloseTo(10_000 / (40 * 1.001), 9);
    expect(result.curve.equity[0]).toBeCloseTo(10_000 - 10_000 / 1.001 * 0.001, 6);
  });

  it("buys whole shares without --fractional, leaving room for the commission", () => {
    const { result } = run([40, 41, 42], { 0: [long()] }, { commission: perShareCommission() });
    // 250 shares would cost 10,000 + $1.25 commission: one fewer fits
    expect(result.trades[0].quantity).toBe(249);
  });

  it("sizes fixed quantities and fractions of equity", () => {
    expect(run([40, 41], { 0: [long()] }, { sizing: { kind: "fixed", quantity: 7 } }).result.trades[0].quantity).toBe(7);
    expect(run([40, 41], { 0: [long()] }, { sizing: { kind: "percent-of-equity", fraction: 0.5 } }).result.trades[0].quantity).toBe(125);
  });
});

describe("routing", () => {
  it("reverses a long into an all-in short in one bar", () => {
    const { result } = run([50, 55, 60, 50], { 0: [long()], 2: [{ kind: "enter", direction: "short", reason: "flip" }] }, { fractional: true });
    const [first, second] = result.trades;
    expect(first).toMatchObject({ direction: "long", entryPrice: 50, exitPrice: 60, quantity: 200 });
    expect(second).toMatchObject({ direction: "short", entryPrice: 60, exitPrice: 50 });
    expect(second.quantity).toBeCloseTo(12_000 / 60, 9);
    expect(result.metrics.finalCapital).toBeCloseTo(12_000 + 200 * 10, 6);
  });

  it("sends an entry with a target and a stop as a bracket, prices rounded the conservative way", () => {
    const { orders } = run([100, 101, 102], { 0: [long({ takeProfit: 104.999, stopLoss: 97.001 })] }, { sizing: { kind: "fixed", quantity: 10 } });
    expect(orders.slice(0, 3).map((order) => [order.type, order.side, "limitPrice" in order ? order.limitPrice : "stopPrice" in order ? order.stopPrice : null])).toEqual([
      ["MKT", "BUY", null],
      ["LMT", "SELL", 105],
      ["STP", "SELL", 97],
    ]);
    expect(orders[1].parentId).toBe(orders[0].id);
    expect(orders[1].ocaGroup).toBe(orders[2].ocaGroup);
  });

  it("only ever tightens the protective stop, and cancels it when the position is closed", () => {
    const protect = (stopPrice: number): StrategyIntent => ({ kind: "protect", stopPrice, reason: "trail" });
    const { events } = run([100, 101, 102, 103, 104], { 0: [long()], 1: [protect(95)], 2: [protect(93), protect(97.5)], 3: [{ kind: "exit", reason: "done" }] }, { sizing: { kind: "fixed", quantity: 10 } });
    const stopOrder = events.find((event) => event.type === "order" && event.order.type === "STP");
    expect(stopOrder?.type === "order" && stopOrder.order).toMatchObject({ stopPrice: 95, quantity: 10, side: "SELL" });
    const stopId = stopOrder?.type === "order" ? stopOrder.order.id : -1;
    const stopStatuses = events.flatMap((event) => (event.type === "order-status" && event.update.orderId === stopId ? [event.update.status] : []));
    expect(stopStatuses).toEqual(["Submitted", "Submitted", "Cancelled"]);
  });

  it("shrinks the stop to what is still held after a partial exit", () => {
    const { result } = run([100, 101, 102, 103, 90, 90], {
      0: [long()],
      1: [{ kind: "protect", stopPrice: 95, reason: "stop" }],
      2: [{ kind: "exit", quantity: 4, reason: "scale out" }],
    }, { sizing: { kind: "fixed", quantity: 10 } });
    // Bar 4 opens at 103 (the last close) and trades down to 89.5: the stop, now for the
    // 6 shares left, fills at 95. 4 x (102 - 100) - 6 x (100 - 95) = -22
    expect(result.trades).toHaveLength(1);
    expect(result.trades[0]).toMatchObject({ quantity: 10, exitPrice: (4 * 102 + 6 * 95) / 10 });
    expect(result.metrics.finalCapital).toBeCloseTo(10_000 - 22, 9);
    expect(result.closedAtEnd).toBe(false);
  });
});

describe("risk gate", () => {
  it("denies an entry over the limit, with the reason in the event stream, and sends nothing", () => {
    const { events, orders } = run([40, 41, 42], { 0: [long()] }, { risk: maxPositionGate({ maxNotional: 5_000 }) });
    expect(orders).toEqual([]);
    const denial = events.find((event) => event.type === "denial");
    expect(denial?.type === "denial" && denial.reason).toMatch(/would exceed the 5000 limit/);
  });

  it("lets exits through a gate whatever their size", () => {
    const { orders } = run([40, 41, 42], { 0: [long()], 1: [{ kind: "exit", reason: "out" }] }, { sizing: { kind: "fixed", quantity: 100 }, risk: maxPositionGate({ maxQuantity: 100 }) });
    expect(orders.map((order) => order.side)).toEqual(["BUY", "SELL"]);
  });
});

describe("events", () => {
  it("stamps decisions, orders and fills with the bar's time from the injected clock", () => {
    const { events } = run([40, 41, 42], { 1: [long()] });
    const stamped = events.filter((event) => event.type === "decision" || event.type === "order" || event.type === "fill").slice(0, 3);
    expect(stamped.map((event) => event.type)).toEqual(["decision", "order", "fill"]);
    for (const event of stamped) expect(event.time).toBe(Date.UTC(2024, 0, 2));
  });
});

describe("event types", () => {
  /** The engine driven bar by bar over the closes, as the backtest runner does; the events it sent. */
  function drive(closes: number[], plan: Record<number, StrategyIntent[]>, eventTypes?: ReadonlySet<DomainEvent["type"]>, keepsFinishedOrders?: boolean): { events: DomainEvent[]; engine: TradingEngine } {
    const bars = barsFromCloses(closes, { spread: 0.5 });
    const events: DomainEvent[] = [];
    let now = NaN;
    const clock = { now: () => now };
    const broker = new SimulatedBroker({ instrument, fill: "next-open", slippageBps: 0, commission: zeroCommission, clock });
    const engine = new TradingEngine({ instrument, strategy: scripted(plan), broker, portfolio: new Portfolio(10_000), clock, commission: zeroCommission, sizing: { kind: "all-in" }, events: { emit: (event) => events.push(event) }, eventTypes, keepsFinishedOrders });
    engine.start();
    for (let i = 0; i < bars.length; i++) {
      const bar = barAt(bars, i);
      now = bar.time;
      broker.beginBar(bar);
      engine.onBar(bar);
      broker.endBar();
    }
    return { events, engine };
  }

  it("builds and sends only the chosen event types, trading exactly as with all of them", () => {
    const closes = [10, 11, 12, 11, 13, 12, 14];
    const plan = { 1: [long()], 3: [{ kind: "exit", reason: "test" } as const], 4: [long()] };
    const all = drive(closes, plan).events;
    const some = drive(closes, plan, new Set(["order", "fill"])).events;
    expect(all.some((event) => event.type === "decision" || event.type === "order-status")).toBe(true);
    expect(some.length).toBeGreaterThan(0);
    expect(some).toEqual(all.filter((event) => event.type === "order" || event.type === "fill"));
  });

  it("without finished orders in the book, trades and reports exactly as with them", () => {
    const closes = [10, 11, 12, 11, 13, 12, 14];
    const plan = { 1: [long()], 3: [{ kind: "exit", reason: "test" } as const], 5: [long({ takeProfit: 20, stopLoss: 5 })] };
    const keeping = drive(closes, plan);
    const dropping = drive(closes, plan, undefined, false);
    expect(dropping.events).toEqual(keeping.events);
    expect([...keeping.engine.orderBook.values()].filter((order) => !order.isWorking).length).toBeGreaterThan(0);
    expect([...dropping.engine.orderBook.values()].every((order) => order.isWorking)).toBe(true);
    expect([...dropping.engine.orderBook.keys()]).toEqual([...keeping.engine.orderBook.values()].filter((order) => order.isWorking).map((order) => order.id));
  });
});
