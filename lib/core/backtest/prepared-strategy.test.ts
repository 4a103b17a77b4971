import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseOhlcvCsv } from "../data/csv";
import { AverageCache } from "../indicators";
import { defineInstrument } from "../model/instrument";
import type { DomainEvent } from "../ports";
import { createStrategy } from "../strategies/registry";
import type { Strategy } from "../strategies/types";
import type { FillTiming } from "./fill-model";
import { runBacktest } from "./run";

const FIXTURE = new URL("../../../test/fixtures/prices/fb-daily-2012-2014.csv", import.meta.url);
const bars = parseOhlcvCsv(readFileSync(FIXTURE, "utf8"), { source: "fb-daily-2012-2014.csv" });
const instrument = defineInstrument({ symbol: "FB", timeZone: "UTC" });

/** The same strategy seen without its `prepare` hook: it updates its incremental averages as live. */
function liveOnly(strategy: Strategy): Strategy {
  return { name: strategy.name, onBar: (bar, context) => strategy.onBar(bar, context) };
}

function run(strategy: Strategy, fill: FillTiming) {
  const events: string[] = [];
  const result = runBacktest({ bars, instrument, strategy, initialCapital: 100_000, fill, fractional: true, events: { emit: (event: DomainEvent) => events.push(JSON.stringify(event)) } });
  return { metrics: result.metrics, trades: result.trades, equity: Array.from(result.curve.equity), events };
}

describe("a backtest's prepared moving-average strategy (batch averages) decides exactly as the live one", () => {
  const cases = [
    ["golden-cross", { fast: 20, slow: 50 }, "close"],
    ["golden-cross", { fast: 10, slow: 40, mode: "cross", longOnly: false }, "next-open"],
    ["ma-cross", { average: "ema", longOnly: false }, "close"],
    ["ma-cross", { fast: 3, slow: 7, average: "sma" }, "next-open"],
  ] as const;

  for (const [name, parameters, fill] of cases) {
    it(`${name} ${JSON.stringify(parameters)}, fill at ${fill}: same events, trades, equity and metrics`, () => {
      const prepared = run(createStrategy(name, parameters), fill);
      const live = run(liveOnly(createStrategy(name, parameters)), fill);
      expect(prepared.trades.length).toBeGreaterThan(3);
      expect(prepared.events).toEqual(live.events);
      expect(prepared.trades).toEqual(live.trades);
      expect(prepared.equity).toEqual(live.equity);
      expect(prepared.metrics).toEqual(live.metrics);
    });
  }

  it("passes over idle bars: far fewer onBar calls than bars, same result as calling onBar on every bar", () => {
    const strategy = createStrategy("golden-cross", { fast: 20, slow: 50 });
    let onBarCalls = 0;
    const counting: Strategy = {
      name: strategy.name,
      onBar: (bar, context) => {
        onBarCalls++;
        strategy.onBar(bar, context);
      },
      prepare: (series, averages) => strategy.prepare?.(series, averages),
      skipIdleBars: (context, limit) => strategy.skipIdleBars?.(context, limit) ?? 0,
    };
    const prepared = run(counting, "close");
    expect(onBarCalls).toBeLessThan(bars.length / 4);
    expect(prepared.equity).toEqual(run(liveOnly(createStrategy("golden-cross", { fast: 20, slow: 50 })), "close").equity);
  });
});


describe("a prepared moving-average strategy reads the same averages streamed or from a shared batch", () => {
  const cases = [
    ["golden-cross", { fast: 20, slow: 50 }, "close"],
    ["golden-cross", { fast: 10, slow: 40, mode: "cross", longOnly: false }, "next-open"],
    ["ma-cross", { average: "ema", longOnly: false }, "close"],
  ] as const;

  for (const [name, parameters, fill] of cases) {
    it(`${name} ${JSON.stringify(parameters)}, fill at ${fill}: same trades, equity and metrics`, () => {
      const settings = { bars, instrument, initialCapital: 100_000, fill, fractional: true } as const;
      const streamed = runBacktest({ ...settings, strategy: createStrategy(name, parameters) });
      const batch = runBacktest({ ...settings, strategy: createStrategy(name, parameters), averages: new AverageCache(bars.close) });
      expect(streamed.trades.length).toBeGreaterThan(3);
      expect(streamed.trades).toEqual(batch.trades);
      expect(streamed.orders).toEqual(batch.orders);
      expect(Array.from(streamed.curve.equity)).toEqual(Array.from(batch.curve.equity));
      expect(streamed.metrics).toEqual(batch.metrics);
    });
  }
});
