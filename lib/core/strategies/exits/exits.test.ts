import { describe, expect, it } from "vitest";
import type { Bar } from "../../data/bars";
import { atr } from "../../indicators";
import type { Fill } from "../../model/fill";
import { ScriptedContext } from "../testing";
import type { Strategy } from "../types";
import { AtrTrailingStop } from "./atr-trailing-stop";
import { withExits } from "./exit-rule";
import { LockInStop } from "./lock-in-stop";
import { PartialTakeProfit } from "./partial-take-profit";

const bar = (close: number, range = 1): Bar => ({ time: 0, open: close, high: close + range / 2, low: close - range / 2, close, volume: 1 });
const fill = (side: "BUY" | "SELL", quantity: number, price: number): Fill => ({ orderId: 1, execId: "e", symbol: "TEST", side, quantity, price, commission: 0, time: 0 });

describe("ATR trailing stop", () => {
  it("trails multiple x ATR under a long's close and only ever moves up", () => {
    const rule = new AtrTrailingStop({ multiple: 2, period: 3 });
    const context = new ScriptedContext();
    const closes = [100, 100.5, 101, 101.5, 102, 101, 103];
    const bars = closes.map((close) => bar(close));
    const atrSeries = atr(bars.map((b) => b.high), bars.map((b) => b.low), closes, 3);
    context.position = 10;
    const stops: number[] = [];
    bars.forEach((b, i) => {
      rule.onBar(b, context);
      for (const intent of context.take()) if (intent.kind === "protect") stops.push(intent.stopPrice);
      const candidates = closes.slice(0, i + 1).map((c, j) => c - 2 * atrSeries[j]).filter((stop) => !Number.isNaN(stop));
      if (candidates.length > 0) expect(rule.stopPrice).toBe(Math.max(...candidates));
    });
    expect(stops.length).toBeGreaterThan(1);
    for (let i = 1; i < stops.length; i++) expect(stops[i]).toBeGreaterThan(stops[i - 1]);
  });

  it("trails above a short and only ever moves down; forgets the level when flat", () => {
    const rule = new AtrTrailingStop({ multiple: 1, period: 2 });
    const context = new ScriptedContext();
    context.position = -5;
    const stops: number[] = [];
    for (const close of [100, 99, 98, 99.5, 97]) {
      rule.onBar(bar(close), context);
      for (const intent of context.take()) if (intent.kind === "protect") stops.push(intent.stopPrice);
    }
    for (let i = 1; i < stops.length; i++) expect(stops[i]).toBeLessThan(stops[i - 1]);
    context.position = 0;
    rule.onBar(bar(97), context);
    expect(rule.stopPrice).toBeNaN();
  });
});

describe("partial take-profit", () => {
  it("rests one limit per step at entry + k R for its fraction of the position", () => {
    const rule = new PartialTakeProfit({ risk: { points: 2 } });
    const context = new ScriptedContext();
    context.position = 300;
    context.entryPrice = 50;
    rule.onFill(fill("BUY", 300, 50), context);
    expect(context.take()).toEqual([
      { kind: "take-profit", quantity: 100, limitPrice: 52, reason: "partial take-profit at +1R" },
      { kind: "take-profit", quantity: 100, limitPrice: 54, reason: "partial take-profit at +2R" },
    ]);
    // A later fill of the same trade (a take-profit) sets nothing up again
    context.position = 200;
    rule.onFill(fill("SELL", 100, 52), context);
    expect(context.take()).toEqual([]);
  });

  it("places a short's targets below the entry", () => {
    const rule = new PartialTakeProfit({ risk: { percent: 1 }, steps: [{ atR: 1.5, fraction: 0.5 }] });
    const context = new ScriptedContext();
    context.position = -40;
    context.entryPrice = 200;
    rule.onFill(fill("SELL", 40, 200), context);
    expect(context.take()).toEqual([{ kind: "take-profit", quantity: 20, limitPrice: 197, reason: "partial take-profit at +1.5R" }]);
  });

  it("refuses steps that add up to more than the position", () => {
    expect(() => new PartialTakeProfit({ steps: [{ atR: 1, fraction: 0.7 }, { atR: 2, fraction: 0.7 }] })).toThrow(/more than the whole position/);
  });
});

describe("lock-in stop", () => {
  it("sets a fixed stop on entry and moves it to break-even plus x once the trigger is reached", () => {
    const rule = new LockInStop({ stop: { points: 3 }, trigger: { points: 4 }, lockAt: { points: 0.5 } });
    const context = new ScriptedContext();
    context.position = 10;
    context.entryPrice = 100;
    rule.onFill(fill("BUY", 10, 100), context);
    expect(context.take()).toEqual([{ kind: "protect", stopPrice: 97, reason: "initial fixed stop" }]);
    rule.onBar(bar(103, 1), context);
    expect(context.take()).toEqual([]);
    rule.onBar(bar(103.6, 1), context);
    expect(context.take()).toEqual([{ kind: "protect", stopPrice: 100.5, reason: "stop locked in" }]);
    rule.onBar(bar(110, 1), context);
    expect(context.take()).toEqual([]);
  });

  it("locks a short's stop below its entry", () => {
    const rule = new LockInStop({ stop: { percent: 2 }, trigger: { percent: 1 } });
    const context = new ScriptedContext();
    context.position = -10;
    context.entryPrice = 50;
    rule.onFill(fill("SELL", 10, 50), context);
    expect(context.take()).toEqual([{ kind: "protect", stopPrice: 51, reason: "initial fixed stop" }]);
    rule.onBar(bar(49.6, 0.2), context);
    expect(context.take()).toEqual([{ kind: "protect", stopPrice: 50, reason: "stop locked in" }]);
  });
});

describe("withExits", () => {
  it("runs the rules after the strategy on every bar and fill", () => {
    const calls: string[] = [];
    const strategy: Strategy = { name: "s", onBar: () => calls.push("strategy bar"), onFill: () => calls.push("strategy fill") };
    const rule = { onBar: () => calls.push("rule bar"), onFill: () => calls.push("rule fill") };
    const combined = withExits(strategy, rule);
    const context = new ScriptedContext();
    combined.onBar(bar(1), context);
    combined.onFill?.(fill("BUY", 1, 1), context);
    expect(calls).toEqual(["strategy bar", "rule bar", "strategy fill", "rule fill"]);
    expect(combined.name).toBe("s");
  });
});
