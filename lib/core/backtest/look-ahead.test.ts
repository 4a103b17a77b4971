import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseOhlcvCsv } from "../data/csv";
import type { BarSeries } from "../data/bars";
import { defineInstrument } from "../model/instrument";
import type { DomainEvent } from "../ports";
import { createStrategy } from "../strategies/registry";
import type { FillTiming } from "./fill-model";
import { runBacktest } from "./run";

const FIXTURE = new URL("../../../test/fixtures/prices/fb-daily-2012-2014.csv", import.meta.url);
const bars = parseOhlcvCsv(readFileSync(FIXTURE, "utf8"), { source: "fb-daily-2012-2014.csv" });
const instrument = defineInstrument({ symbol: "FB", timeZone: "UTC" });

/** A copy whose bars after `cut` are replaced by a different, still valid, price path. */
function rewriteAfter(series: BarSeries, cut: number): BarSeries {
  const copy = (column: Float64Array) => Float64Array.from(column);
  const [open, high, low, close] = [copy(series.open), copy(series.high), copy(series.low), copy(series.close)];
  for (let i = cut + 1; i < series.length; i++) {
    const factor = i % 2 === 0 ? 0.6 : 1.7;
    open[i] *= factor;
    close[i] *= 2.3 - factor;
    high[i] = Math.max(open[i], close[i]) * 1.05;
    low[i] = Math.min(open[i], close[i]) * 0.95;
  }
  return { ...series, open, high, low, close };
}

function eventsUpTo(series: BarSeries, strategy: string, parameters: object, fill: FillTiming, until: number): string[] {
  const events: DomainEvent[] = [];
  runBacktest({ bars: series, instrument, strategy: createStrategy(strategy, parameters), initialCapital: 100_000, fill, fractional: true, events: { emit: (event) => events.push(event) } });
  return events.filter((event) => event.time <= until).map((event) => JSON.stringify(event));
}

const cases = [
  ["golden-cross", { fast: 20, slow: 50 }],
  ["golden-cross", { fast: 10, slow: 40, mode: "cross", longOnly: false }],
  ["ma-cross", { average: "ema", longOnly: false }],
  ["rsi-vwap", { rsiPeriod: 5, vwapPeriod: 10, bandWidth: 1, target: { percent: 3 }, timeZone: "UTC", sessionEnd: "23:59" }],
] as const;

describe("no look-ahead", () => {
  for (const fill of ["close", "next-open"] as const) {
    for (const [strategy, parameters] of cases) {
      it(`${strategy} ${JSON.stringify(parameters)} with fills at ${fill}: bars after t change nothing at or before t`, () => {
        for (const cut of [120, 260, 380]) {
          const t = bars.time[cut];
          const original = eventsUpTo(bars, strategy, parameters, fill, t);
          expect(original.length).toBeGreaterThan(0);
          expect(eventsUpTo(rewriteAfter(bars, cut), strategy, parameters, fill, t)).toEqual(original);
        }
      });
    }
  }

  it("would notice a strategy peeking at the next bar", () => {
    // The check above is only worth something if it can fail: a cheating strategy must trip it.
    const cheat = (series: BarSeries) => {
      const events: DomainEvent[] = [];
      let index = -1;
      runBacktest({
        bars: series,
        instrument,
        initialCapital: 100_000,
        fill: "close",
        events: { emit: (event) => events.push(event) },
        strategy: {
          name: "cheat",
          onBar(_bar, context) {
            index++;
            const tomorrow = series.close[index + 1];
            if (tomorrow > series.close[index] && context.position === 0) context.submit({ kind: "enter", direction: "long", reason: "peek" });
            if (tomorrow < series.close[index] && context.position > 0) context.submit({ kind: "exit", reason: "peek" });
          },
        },
      });
      return events.filter((event) => event.time <= series.time[200]).map((event) => JSON.stringify(event));
    };
    expect(cheat(rewriteAfter(bars, 200))).not.toEqual(cheat(bars));
  });
});
