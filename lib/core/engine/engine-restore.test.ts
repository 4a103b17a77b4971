import { describe, expect, it } from "vitest";
import type { Bar } from "../data/bars";
import { zeroCommission } from "../model/commission";
import { defineInstrument } from "../model/instrument";
import type { OrderRequest } from "../model/order";
import { Portfolio } from "../model/portfolio";
import type { BrokerEvent, BrokerPort, DomainEvent, OrderModification } from "../ports";
import type { Strategy, StrategyContext, StrategyIntent } from "../strategies/types";
import { TradingEngine, type RestoredState } from "./engine";

const instrument = defineInstrument({ symbol: "TEST", timeZone: "UTC" });

/** A broker port that records what the engine asks and lets the test report events. */
function recordingBroker() {
  const sent: OrderRequest[] = [];
  const modified: { orderId: number; changes: OrderModification }[] = [];
  const cancelled: number[] = [];
  const listeners = new Set<(event: BrokerEvent) => void>();
  let nextId = 100;
  const port: BrokerPort = {
    nextOrderId: () => nextId++,
    submit: (order) => sent.push(order),
    modify: (orderId, changes) => modified.push({ orderId, changes }),
    cancel: (orderId) => cancelled.push(orderId),
    cancelAll: () => undefined,
    onEvent: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
  };
  const report = (event: BrokerEvent) => listeners.forEach((listener) => listener(event));
  return { port, sent, modified, cancelled, report };
}

/** Submits on each bar what the test queued for it, and keeps what the context showed. */
function scripted() {
  const next: StrategyIntent[] = [];
  const seen: { position: number; entryPrice: number; stopPrice: number; entryPending: boolean }[] = [];
  const strategy: Strategy = {
    name: "scripted",
    onBar(_bar, context: StrategyContext) {
      seen.push({ position: context.position, entryPrice: context.entryPrice, stopPrice: context.stopPrice, entryPending: context.entryPending });
      for (const intent of next.splice(0)) context.submit(intent);
    },
  };
  return { strategy, next, seen };
}

function setUp(state: RestoredState) {
  const broker = recordingBroker();
  const { strategy, next, seen } = scripted();
  const events: DomainEvent[] = [];
  const engine = new TradingEngine({
    instrument,
    strategy,
    broker: broker.port,
    portfolio: new Portfolio(50_000),
    clock: { now: () => 0 },
    sizing: { kind: "fixed", quantity: 10 },
    commission: zeroCommission,
    events: { emit: (event) => events.push(event) },
  });
  engine.restore(state);
  engine.start();
  let time = 0;
  const bar = (close: number, intents: StrategyIntent[] = []) => {
    next.push(...intents);
    const at: Bar = { time: (time += 60_000), open: close, high: close, low: close, close, volume: 100 };
    engine.onBar(at);
  };
  return { engine, broker, seen, events, bar };
}

const stop: OrderRequest = { id: 7, symbol: "TEST", side: "SELL", quantity: 10, type: "STP", stopPrice: 95, timeInForce: "GTC", parentId: 5, ocaGroup: "bracket-5" };
const takeProfit: OrderRequest = { id: 6, symbol: "TEST", side: "SELL", quantity: 10, type: "LMT", limitPrice: 110, timeInForce: "GTC", parentId: 5, ocaGroup: "bracket-5" };
const held: RestoredState = { position: { quantity: 10, averageCost: 100 }, workingOrders: [{ request: takeProfit, filled: 0 }, { request: stop, filled: 0 }] };

describe("TradingEngine.restore", () => {
  it("holds the restored position and stop: a repeated entry sends nothing, a looser stop is kept, a tighter one modifies the adopted order", () => {
    const { engine, broker, seen, bar } = setUp(held);
    expect(engine.position).toBe(10);
    expect([...engine.orderBook.keys()].sort()).toEqual([6, 7]);
    bar(104, [{ kind: "enter", direction: "long", reason: "still long" }, { kind: "protect", stopPrice: 94, reason: "looser" }]);
    expect(seen[0]).toEqual({ position: 10, entryPrice: 100, stopPrice: 95, entryPending: false });
    expect(broker.sent).toEqual([]);
    expect(broker.modified).toEqual([]);
    bar(106, [{ kind: "protect", stopPrice: 98, reason: "tighter" }]);
    expect(broker.modified).toEqual([{ orderId: 7, changes: { stopPrice: 98 } }]);
    expect(broker.sent).toEqual([]);
  });

  it("an exit cancels the adopted bracket children and sells what is held; their cancels end them", () => {
    const { engine, broker, events, bar } = setUp(held);
    bar(103, [{ kind: "exit", reason: "signal flipped" }]);
    expect(broker.cancelled.sort()).toEqual([6, 7]);
    expect(broker.sent).toEqual([expect.objectContaining({ side: "SELL", quantity: 10, type: "MKT" })]);
    for (const orderId of [6, 7]) broker.report({ type: "status", update: { orderId, status: "Cancelled", filled: 0, remaining: 10 } });
    const exit = broker.sent[0];
    broker.report({ type: "fill", fill: { orderId: exit.id, execId: "x1", symbol: "TEST", side: "SELL", quantity: 10, price: 103, commission: 0, time: 1 } });
    expect(engine.position).toBe(0);
    const fill = events.find((event): event is Extract<DomainEvent, { type: "fill" }> => event.type === "fill");
    expect(fill?.realizedPnl).toBeCloseTo(30, 9);
    expect(engine.orderBook.get(7)?.status).toBe("Cancelled");
    expect(events.filter((event) => event.type === "order-status" && event.update.orderId === 7)).toHaveLength(1);
  });

  it("a fill of the adopted stop closes the position at the restored cost", () => {
    const { engine, broker, events } = setUp(held);
    const fill = { orderId: 7, execId: "s1", symbol: "TEST", side: "SELL" as const, quantity: 10, price: 95, commission: 0, time: 1 };
    broker.report({ type: "fill", fill });
    expect(engine.position).toBe(0);
    const fills = events.filter((event): event is Extract<DomainEvent, { type: "fill" }> => event.type === "fill");
    expect(fills).toHaveLength(1);
    expect(fills[0].realizedPnl).toBeCloseTo(-50, 9);
    // The take-profit of the same bracket is cancelled with the position gone.
    expect(broker.cancelled).toContain(6);
  });

  it("a partly filled entry taken over keeps the strategy from entering again until it fills", () => {
    const entry: OrderRequest = { id: 5, symbol: "TEST", side: "BUY", quantity: 10, type: "LMT", limitPrice: 100, timeInForce: "DAY" };
    const { engine, broker, seen, bar } = setUp({ position: { quantity: 4, averageCost: 100 }, workingOrders: [{ request: entry, filled: 4 }, { request: takeProfit, filled: 0 }, { request: stop, filled: 0 }] });
    bar(101, [{ kind: "enter", direction: "long", reason: "again" }]);
    expect(seen[0]).toMatchObject({ position: 4, entryPending: true, stopPrice: 95 });
    expect(broker.sent).toEqual([]);
    broker.report({ type: "fill", fill: { orderId: 5, execId: "e2", symbol: "TEST", side: "BUY", quantity: 6, price: 100, commission: 0, time: 1 } });
    expect(engine.position).toBe(10);
    expect(engine.orderBook.get(5)?.status).toBe("Filled");
  });

  it("refuses to restore an engine that already trades", () => {
    const { engine } = setUp(held);
    expect(() => engine.restore(held)).toThrow(/fresh engine/);
  });
});
