import { describe, expect, it } from "vitest";
import { Atr } from "@/lib/core/indicators";
import { defineInstrument } from "@/lib/core/model/instrument";
import type { OrderRequest } from "@/lib/core/model/order";
import type { BrokerPort } from "@/lib/core/ports";
import { AtrBracketStop, limitBrackets, riskSizedQuantity, trailAmount, type BracketEntryPlan } from "./brackets";

const instrument = defineInstrument({ symbol: "NVDA" });
const bars = Array.from({ length: 20 }, (_, i) => ({ high: 101 + (i % 3) * 0.5, low: 99 - (i % 2) * 0.25, close: 100 + (i % 4) * 0.1 }));

/** What limitBrackets sends on: a port that only records (the ids are the engine's). */
function recordingPort(): { port: BrokerPort; sent: OrderRequest[] } {
  const sent: OrderRequest[] = [];
  const port: BrokerPort = { nextOrderId: () => 0, submit: (order) => void sent.push(order), modify: () => undefined, cancel: () => undefined, cancelAll: () => undefined, onEvent: () => () => undefined };
  return { port, sent };
}

/** The engine's bracket as it submits it: a market parent, a take-profit limit and a fixed stop, in one turn. */
function submitEngineBracket(port: BrokerPort): void {
  port.submit({ id: 10, symbol: "NVDA", side: "BUY", quantity: 50, type: "MKT", timeInForce: "DAY", tag: "entry" });
  port.submit({ id: 11, symbol: "NVDA", side: "SELL", quantity: 50, type: "LMT", limitPrice: 110, timeInForce: "GTC", parentId: 10, tag: "take-profit" });
  port.submit({ id: 12, symbol: "NVDA", side: "SELL", quantity: 50, type: "STP", stopPrice: 95, timeInForce: "GTC", parentId: 10, tag: "stop-loss" });
}

describe("ATR trailing stop of live brackets", () => {
  it("is undefined until the ATR is ready, then multiple x ATR of every bar seen, on the tick grid and never below a tick", () => {
    const stop = new AtrBracketStop(instrument, { period: 14, multiple: 2.5 });
    const reference = new Atr(14);
    for (const bar of bars.slice(0, 14)) {
      stop.update(bar);
      reference.update(bar);
      expect(stop.current).toBeUndefined();
      expect(stop.distance).toBeUndefined();
    }
    for (const bar of bars.slice(14)) {
      stop.update(bar);
      reference.update(bar);
    }
    expect(stop.current).toEqual({ atr: reference.value, atrMultiple: 2.5 });
    const raw = reference.value * 2.5;
    expect(stop.distance).toBe(trailAmount(instrument, raw));
    expect(stop.distance! - raw).toBeGreaterThanOrEqual(0);
    expect(stop.distance! - raw).toBeLessThan(0.01);
    expect(Math.round(stop.distance! * 100) / 100).toBe(stop.distance);
    expect(trailAmount(instrument, 0.001)).toBe(0.01);
  });

  it("an entry plan with a trailing stop turns the engine's bracket into limit parent, take-profit and TRAIL child under the engine's ids", async () => {
    const { port, sent } = recordingPort();
    const plan: BracketEntryPlan = { entryPrice: 100.004, preMarket: false, preMarketBufferPercent: 0.1, trailingStop: { atr: 1.234, atrMultiple: 2 } };
    submitEngineBracket(limitBrackets(port, instrument, () => plan));
    await Promise.resolve();
    expect(sent).toEqual([
      expect.objectContaining({ id: 10, type: "LMT", side: "BUY", limitPrice: 100, quantity: 50, timeInForce: "DAY" }),
      expect.objectContaining({ id: 11, type: "LMT", side: "SELL", limitPrice: 110, parentId: 10, ocaGroup: "bracket-10", timeInForce: "GTC" }),
      expect.objectContaining({ id: 12, type: "TRAIL", side: "SELL", trail: { amount: 2.47 }, parentId: 10, ocaGroup: "bracket-10", timeInForce: "GTC", tag: "atr-trailing-stop" }),
    ]);
  });

  it("without a trailing stop in the plan the bracket keeps the engine's fixed stop, and exits at market are not planned at all", async () => {
    const { port, sent } = recordingPort();
    let plans = 0;
    const bracketing = limitBrackets(port, instrument, () => (plans++, { entryPrice: 100, preMarket: false, preMarketBufferPercent: 0 }));
    submitEngineBracket(bracketing);
    bracketing.submit({ id: 13, symbol: "NVDA", side: "SELL", quantity: 50, type: "MKT", timeInForce: "DAY", tag: "exit" });
    await Promise.resolve();
    expect(sent.map((order) => order.type)).toEqual(["LMT", "LMT", "STP", "MKT"]);
    expect(sent[2]).toMatchObject({ id: 12, stopPrice: 95, ocaGroup: "bracket-10" });
    expect(plans).toBe(1);
  });

  it("risk sizing takes the trailing stop's distance as the risk per share, and exactly one of stop price or distance", () => {
    expect(riskSizedQuantity(instrument, { availableFunds: 100_000, riskPercent: 0.5, entryPrice: 100, stopDistance: 2.47 })).toBe(202);
    expect(riskSizedQuantity(instrument, { availableFunds: 100_000, riskPercent: 0.5, entryPrice: 100, stopDistance: 2.47 })).toBe(
      riskSizedQuantity(instrument, { availableFunds: 100_000, riskPercent: 0.5, entryPrice: 100, stopPrice: 97.53 }),
    );
    expect(() => riskSizedQuantity(instrument, { availableFunds: 1_000, riskPercent: 1, entryPrice: 100 })).toThrow(/either stopPrice or stopDistance/);
    expect(() => riskSizedQuantity(instrument, { availableFunds: 1_000, riskPercent: 1, entryPrice: 100, stopPrice: 99, stopDistance: 1 })).toThrow(/either stopPrice or stopDistance/);
  });
});
