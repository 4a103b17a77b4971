import { describe, expect, it } from "vitest";
import { barAt } from "../data/bars";
import { instantOf } from "../time/zoned-time";
import { RsiVwapReversal } from "./rsi-vwap";
import { barsFromCloses, ScriptedContext } from "./testing";

const NEW_YORK = "America/New_York";
const at = (day: number, hour: number, minute: number) => instantOf({ year: 2024, month: 3, day, hour, minute, second: 0 }, NEW_YORK);
const FIVE_MINUTES = 300_000;
const params = { rsiPeriod: 3, vwapPeriod: 5, bandWidth: 1, target: { points: 2 }, sessionEnd: "15:55", timeZone: NEW_YORK } as const;

function feed(strategy: RsiVwapReversal, closes: number[], start: number, context = new ScriptedContext()) {
  const series = barsFromCloses(closes, { start, stepMs: FIVE_MINUTES, spread: 0.05 });
  for (let i = 0; i < series.length; i++) {
    context.time = series.time[i];
    strategy.onBar(barAt(series, i), context);
  }
  return context;
}

describe("RSI + VWAP-band reversal", () => {
  it("buys an oversold close under the lower band, bracketed with the stop at half the target distance", () => {
    const context = feed(new RsiVwapReversal(params), [100, 100.2, 100.1, 100.3, 100.2, 100.1, 99], at(4, 10, 0));
    expect(context.intents).toHaveLength(1);
    const [entry] = context.intents;
    expect(entry).toMatchObject({ kind: "enter", direction: "long", takeProfit: 99 + 2, stopLoss: 99 - 1 });
  });

  it("shorts an overbought close over the upper band, unless long-only", () => {
    const closes = [100, 99.8, 99.9, 99.7, 99.8, 99.9, 101];
    const shortIntents = feed(new RsiVwapReversal(params), closes, at(4, 10, 0)).intents;
    expect(shortIntents[0]).toMatchObject({ kind: "enter", direction: "short", takeProfit: 99, stopLoss: 102 });
    expect(feed(new RsiVwapReversal({ ...params, longOnly: true }), closes, at(4, 10, 0)).intents).toEqual([]);
  });

  it("sizes the target in percent or ATR multiples too", () => {
    const closes = [100, 100.2, 100.1, 100.3, 100.2, 100.1, 99];
    const percent = feed(new RsiVwapReversal({ ...params, target: { percent: 1 } }), closes, at(4, 10, 0)).intents[0];
    expect(percent).toMatchObject({ takeProfit: 99 * 1.01 });
    const atr = feed(new RsiVwapReversal({ ...params, target: { atr: 1 }, atrPeriod: 3 }), closes, at(4, 10, 0)).intents[0];
    expect(atr?.kind === "enter" && atr.takeProfit! - 99).toBeGreaterThan(0);
  });

  it("takes no entry from the session end on, and exits a position held at the session end", () => {
    const closes = [100, 100.2, 100.1, 100.3, 100.2, 100.1, 99];
    // The same signal, on a bar stamped 15:55 local: no entry
    expect(feed(new RsiVwapReversal(params), closes, at(4, 15, 25)).intents).toEqual([]);
    expect(feed(new RsiVwapReversal(params), closes, at(4, 15, 20)).intents).toHaveLength(1);
    const strategy = new RsiVwapReversal(params);
    const context = feed(strategy, closes, at(4, 10, 0));
    context.take();
    context.position = 100;
    context.time = at(4, 10, 40);
    strategy.onFill({ orderId: 1, execId: "x", symbol: "TEST", side: "BUY", quantity: 100, price: 99, commission: 0, time: context.time }, context);
    feed(strategy, [98, 98.2], at(4, 15, 45), context);
    expect(context.take()).toEqual([]);
    feed(strategy, [98.4], at(4, 15, 55), context);
    expect(context.take()).toEqual([{ kind: "exit", reason: "rsi-vwap: session end" }]);
  });

  it("never holds across a local date, even without a bar at the session end", () => {
    const strategy = new RsiVwapReversal(params);
    const context = feed(strategy, [100, 100.2, 100.1], at(4, 10, 0));
    context.position = -50;
    context.time = at(4, 11, 0);
    strategy.onFill({ orderId: 1, execId: "x", symbol: "TEST", side: "SELL", quantity: 50, price: 100, commission: 0, time: context.time }, context);
    feed(strategy, [100.3], at(5, 9, 30), context);
    expect(context.take()).toEqual([{ kind: "exit", reason: "rsi-vwap: session end" }]);
  });

  it("reads the session end in the exchange's zone across a DST change", () => {
    // 2024-03-10: New York moves from UTC-5 to UTC-4; 15:55 local is 19:55 UTC after it.
    const strategy = new RsiVwapReversal(params);
    const context = feed(strategy, [100, 100.2, 100.1], at(11, 10, 0));
    context.position = 10;
    strategy.onFill({ orderId: 1, execId: "x", symbol: "TEST", side: "BUY", quantity: 10, price: 100, commission: 0, time: at(11, 10, 15) }, context);
    feed(strategy, [100.1], Date.UTC(2024, 2, 11, 19, 50), context);
    expect(context.take()).toEqual([]);
    feed(strategy, [100.1], Date.UTC(2024, 2, 11, 19, 55), context);
    expect(context.take()).toHaveLength(1);
  });

  it("validates its parameters with messages naming them", () => {
    expect(() => new RsiVwapReversal({ sessionEnd: "4pm" })).toThrow(/sessionEnd/);
    expect(() => new RsiVwapReversal({ timeZone: "Mars/Olympus" })).toThrow(/timeZone/);
    expect(() => new RsiVwapReversal({ oversold: 80, overbought: 70 })).toThrow(/oversold/);
  });
});
