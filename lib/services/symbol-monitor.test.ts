import { describe, expect, it } from "vitest";
import { SimulatedBroker } from "@/lib/core/backtest/simulated-broker";
import type { Bar } from "@/lib/core/data/bars";
import { TradingEngine } from "@/lib/core/engine/engine";
import { zeroCommission } from "@/lib/core/model/commission";
import { defineInstrument } from "@/lib/core/model/instrument";
import { Portfolio } from "@/lib/core/model/portfolio";
import type { DomainEvent } from "@/lib/core/ports";
import type { Strategy, StrategyContext, StrategyIntent } from "@/lib/core/strategies/types";
import type { z } from "zod";
import { closeOnDataError, monitorSchema, monitored, rearmed, replayHistory } from "./symbol-monitor";

const instrument = defineInstrument({ symbol: "TEST" });

/** Goes long on the first bar and then leaves everything to the monitor. */
const enterOnce: Strategy = {
  name: "enter-once",
  onBar(_bar, context) {
    if (context.position === 0 && !context.entryPending && context.now() === 0) context.submit({ kind: "enter", direction: "long", reason: "test entry" });
  },
};

function harness(config: z.input<typeof monitorSchema>) {
  let time = 0;
  const clock = { now: () => time };
  const broker = new SimulatedBroker({ instrument, fill: "next-open", slippageBps: 0, commission: zeroCommission, clock });
  const events: DomainEvent[] = [];
  const engine = new TradingEngine({
    instrument,
    strategy: monitored(enterOnce, monitorSchema.parse(config)),
    broker,
    portfolio: new Portfolio(10_000),
    clock,
    sizing: { kind: "fixed", quantity: 10 },
    commission: zeroCommission,
    events: { emit: (event) => events.push(event) },
  });
  engine.start();
  const bar = (open: number, high: number, low: number, close: number) => {
    const next: Bar = { time, open, high, low, close, volume: 100 };
    broker.beginBar(next);
    engine.onBar(next);
    broker.endBar();
    time += 60_000;
  };
  const stops = () => [...engine.orderBook.values()].filter((order) => order.request.type === "STP" && order.isWorking).map((order) => ("stopPrice" in order.request ? order.request.stopPrice : NaN));
  return { engine, bar, stops, events };
}

describe("symbol monitor after an entry fills", () => {
  it("trails a stop behind the highest price since entry, only ever upwards, and exits when it is hit", () => {
    const { engine, bar, stops } = harness({ trailFromExtremePercent: 5 });
    bar(100, 100, 100, 100);
    bar(100, 101, 99, 100);
    expect(engine.position).toBe(10);
    bar(100, 110, 100, 108);
    expect(stops()).toEqual([104.5]);
    bar(108, 108, 105, 106);
    expect(stops()).toEqual([104.5]);
    bar(106, 120, 106, 119);
    expect(stops()).toEqual([114]);
    bar(113, 113, 110, 111);
    expect(engine.position).toBe(0);
  });

  it("exits when a bar closes through the EMA against the trade", () => {
    const { engine, bar, events } = harness({ emaExitPeriod: 3 });
    for (const close of [100, 100, 101, 102, 103]) bar(close, close + 0.5, close - 0.5, close);
    expect(engine.position).toBe(10);
    bar(103, 103, 95, 96);
    expect(events.some((event) => event.type === "decision" && event.intent.purpose === "exit" && /EMA/.test(event.intent.reason))).toBe(true);
    bar(96, 96, 96, 96);
    expect(engine.position).toBe(0);
  });

  it("scales out in steps with resting take-profit limits, then fixes the stop at break-even once the lock-in threshold is reached", () => {
    const { engine, bar } = harness({ partialTakeProfit: { risk: { points: 2 }, steps: [{ atR: 1, fraction: 0.5 }] }, lockIn: { stop: { points: 3 }, trigger: { points: 1.5 } } });
    bar(100, 100, 100, 100);
    bar(100, 100.5, 99.5, 100);
    const limits = [...engine.orderBook.values()].filter((order) => order.request.type === "LMT" && order.isWorking);
    expect(limits.map((order) => [order.request.quantity, "limitPrice" in order.request ? order.request.limitPrice : NaN])).toEqual([[5, 102]]);
    bar(100, 102.5, 100, 102);
    expect(engine.position).toBe(5);
    const stop = [...engine.orderBook.values()].find((order) => order.request.type === "STP" && order.isWorking);
    expect(stop && "stopPrice" in stop.request ? stop.request.stopPrice : NaN).toBe(100);
  });

  it("closes a held symbol at market and raises an alert when its market data fails", () => {
    const { engine, bar } = harness({});
    bar(100, 100, 100, 100);
    bar(100, 100, 100, 100);
    expect(engine.position).toBe(10);
    const alerts: DomainEvent[] = [];
    let raise: (error: { symbol: string; code: number; message: string }) => void = () => undefined;
    const stop = closeOnDataError(
      { onError: (listener) => ((raise = listener), () => undefined) },
      () => [{ symbol: "TEST", position: engine.position, flatten: (reason) => engine.flatten(reason) }],
      { emit: (event) => alerts.push(event) },
      () => 42,
    );
    raise({ symbol: "OTHER", code: 354, message: "not subscribed" });
    expect(alerts).toEqual([]);
    raise({ symbol: "TEST", code: 354, message: "not subscribed" });
    expect(alerts).toEqual([{ type: "error", time: 42, message: "TEST: market data failed (354: not subscribed); position of 10 closed" }]);
    bar(99, 99, 99, 99);
    expect(engine.position).toBe(0);
    stop();
  });
});

describe("symbol monitor resuming a trade after a restart", () => {
  const idle: Strategy = { name: "idle", onBar: () => undefined };
  const minute = 60_000;
  const bars: Bar[] = [100, 101, 104, 109, 107, 106].map((close, i) => ({ time: i * minute, open: close, high: close + 1, low: close - 1, close, volume: 100 }));

  /** What the engine shows a held position: its stop is the tightest one asked for. */
  function liveContext(position: number) {
    const submitted: StrategyIntent[] = [];
    let stopPrice = NaN;
    const context: StrategyContext = {
      symbol: "TEST",
      position,
      entryPrice: 102,
      get stopPrice() {
        return stopPrice;
      },
      entryPending: false,
      now: () => 6 * minute,
      submit: (intent) => {
        submitted.push(intent);
        if (intent.kind === "protect" && !(intent.stopPrice <= stopPrice)) stopPrice = intent.stopPrice;
      },
    };
    return { context, submitted };
  }

  it("re-arms the trailing stop from the best price since the restored entry, read from the bars after it", () => {
    const strategy = monitored(idle, monitorSchema.parse({ trailFromExtremePercent: 5 }));
    // Opened at 2.5 minutes, in the bar of 2:00-3:00: the bars from there on count (highs 105, 110, 108, 107).
    const stop = replayHistory(strategy, "TEST", bars, minute, { quantity: 10, averageCost: 102, openedAt: 2.5 * minute });
    expect(stop).toBeCloseTo(110 * 0.95, 9);
    const { context, submitted } = liveContext(10);
    const live = rearmed(strategy, stop);
    live.onBar({ time: 6 * minute, open: 106, high: 106.5, low: 105, close: 106, volume: 100 }, context);
    live.onBar({ time: 7 * minute, open: 106, high: 106.5, low: 105, close: 106, volume: 100 }, context);
    expect(submitted.filter((intent) => intent.kind === "protect")).toEqual([expect.objectContaining({ kind: "protect", stopPrice: stop })]);
  });

  it("a scale-out already set up is not placed again, and the lock-in's stop comes back once", () => {
    const strategy = monitored(idle, monitorSchema.parse({ partialTakeProfit: { risk: { points: 2 } }, lockIn: { stop: { points: 3 }, trigger: { points: 5 } } }));
    const stop = replayHistory(strategy, "TEST", bars, minute, { quantity: 10, averageCost: 102, openedAt: 2.5 * minute });
    // The high of 110 passed the trigger (102 + 5): the stop was locked at break-even.
    expect(stop).toBe(102);
    const { context, submitted } = liveContext(10);
    const live = rearmed(strategy, stop);
    live.onBar(bars[5], context);
    live.onFill!({ orderId: 9, execId: "tp", symbol: "TEST", side: "SELL", quantity: 3, price: 104, commission: 0, time: 6 * minute }, liveContext(7).context);
    expect(submitted).toEqual([expect.objectContaining({ kind: "protect", stopPrice: 102 })]);
  });

  it("warming up flat asks for nothing", () => {
    const strategy = monitored(idle, monitorSchema.parse({ trailFromExtremePercent: 5 }));
    expect(replayHistory(strategy, "TEST", bars, minute)).toBeNaN();
    expect(rearmed(strategy, NaN)).toBe(strategy);
  });
});
