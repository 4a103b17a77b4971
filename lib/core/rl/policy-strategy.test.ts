import { describe, expect, it } from "vitest";
import type { Bar } from "../data/bars";
import type { StrategyContext, StrategyIntent } from "../strategies/types";
import { RlPolicyStrategy } from "./policy-strategy";
import { alternatingModel } from "./testing";

const MINUTE = 60_000;
// 2026-11-18 09:00 New York (EST, UTC-5).
const NINE_AM = Date.UTC(2026, 10, 18, 14);

/** A flat-out context that fills every intent at once, so the policy sees its position change. */
function fillingContext(): StrategyContext & { intents: StrategyIntent[] } {
  const intents: StrategyIntent[] = [];
  const context = {
    symbol: "X",
    position: 0,
    entryPrice: NaN,
    stopPrice: NaN,
    entryPending: false,
    now: () => 0,
    intents,
    submit(intent: StrategyIntent) {
      intents.push(intent);
      if (intent.kind === "enter") [context.position, context.entryPrice] = [100, 10];
      if (intent.kind === "exit") [context.position, context.entryPrice] = [0, NaN];
    },
  };
  return context;
}

function minuteBars(count: number, from: number): Bar[] {
  return Array.from({ length: count }, (_, i) => {
    const close = 10 + Math.sin(i / 3);
    return { time: from + i * MINUTE, open: close, high: close + 0.1, low: close - 0.1, close, volume: 1000 + 50 * (i % 7) };
  });
}

describe("RlPolicyStrategy", () => {
  it("enters only inside its trading window and stops after the day's trade cycles", () => {
    const strategy = new RlPolicyStrategy({ model: alternatingModel(60), tradingWindow: { start: "09:40", end: "10:00", timeZone: "America/New_York" }, maxTradeCyclesPerDay: 3 });
    const context = fillingContext();
    const entryTimes: number[] = [];
    for (const bar of minuteBars(90, NINE_AM)) {
      const before = context.intents.length;
      strategy.onBar(bar, context);
      if (context.intents.length > before && context.intents[before].kind === "enter") entryTimes.push(bar.time);
    }
    expect(entryTimes).toHaveLength(3);
    for (const time of entryTimes) expect(time).toBeGreaterThanOrEqual(NINE_AM + 40 * MINUTE);
    expect(context.intents.filter((intent) => intent.kind === "exit")).toHaveLength(3);
  });

  it("waits for the indicators' warm-up and then alternates as its weights say", () => {
    const strategy = new RlPolicyStrategy({ model: alternatingModel(60) });
    const context = fillingContext();
    const bars = minuteBars(40, NINE_AM);
    bars.slice(0, 20).forEach((bar) => strategy.onBar(bar, context));
    expect(context.intents).toEqual([]);
    bars.slice(20).forEach((bar) => strategy.onBar(bar, context));
    expect(context.intents.map((intent) => intent.kind).slice(0, 4)).toEqual(["enter", "exit", "enter", "exit"]);
  });
});
