import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseOhlcvCsv } from "../data/csv";
import { percentCommission } from "../model/commission";
import { defineInstrument } from "../model/instrument";
import { createStrategy } from "../strategies/registry";
import { computeMetrics, dailyReturns, type EquityCurve } from "./metrics";
import { instrumentDayEnds, runBacktest } from "./run";

const FIXTURE = new URL("../../../test/fixtures/prices/fb-daily-2012-2014.csv", import.meta.url);
const bars = parseOhlcvCsv(readFileSync(FIXTURE, "utf8"), { source: "fb-daily-2012-2014.csv" });
const instrument = defineInstrument({ symbol: "FB", timeZone: "America/New_York" });

describe("a backtest's equity curve", () => {
  const cases = [
    ["golden-cross", { fast: 20, slow: 50 }, "close"],
    ["golden-cross", { fast: 10, slow: 40, mode: "cross", longOnly: false }, "next-open"],
    ["ma-cross", { fast: 3, slow: 7, longOnly: false }, "close"],
  ] as const;

  for (const [name, parameters, fill] of cases) {
    it(`${name} ${JSON.stringify(parameters)}, fill at ${fill}: its arrays give the metrics the run reported`, () => {
      const result = runBacktest({ bars, instrument, strategy: createStrategy(name, parameters), initialCapital: 100_000, fill, fractional: true, commission: percentCommission(0.001) });
      const { time, equity, inPosition, initialCapital, dayOf } = result.curve;
      const stored: EquityCurve = { time, equity: Float64Array.from(equity), inPosition: Uint8Array.from(inPosition), initialCapital, dayOf };
      expect(equity).toHaveLength(bars.length);
      expect(computeMetrics(stored, result.trades)).toEqual(result.metrics);
      expect(result.metrics.finalCapital).toBe(equity[bars.length - 1]);
    });
  }

  it("gives the same metrics when handed its bars' day ends, as runs over the same bars share them", () => {
    const config = { bars, instrument, strategy: createStrategy("ma-cross", { fast: 3, slow: 7 }), initialCapital: 100_000, fill: "close", fractional: true } as const;
    const shared = instrumentDayEnds(bars.time, instrument);
    expect(runBacktest({ ...config, dayEnds: shared, strategy: createStrategy("ma-cross", { fast: 3, slow: 7 }) }).metrics).toEqual(runBacktest(config).metrics);
    expect(() => runBacktest({ ...config, dayEnds: shared.subarray(1) })).toThrow(/day ends of/);
  });

  it("hands over the daily returns its metrics were read from, when given room for them", () => {
    const into = new Float64Array(bars.length).fill(NaN);
    const result = runBacktest({ bars, instrument, strategy: createStrategy("golden-cross", { fast: 5, slow: 20 }), initialCapital: 100_000, fill: "close", fractional: true, dailyReturnsInto: into });
    expect(into.subarray(0, result.metrics.dailyReturns)).toEqual(dailyReturns(result.curve));
    expect(result.metrics.dailyReturns).toBe(bars.length - 1);
  });

  it("holds the cash of the trades closed so far on every flat bar", () => {
    const result = runBacktest({ bars, instrument, strategy: createStrategy("golden-cross", { fast: 5, slow: 20 }), initialCapital: 100_000, fill: "close", fractional: true });
    const { equity, inPosition } = result.curve;
    const flatBars = Array.from(inPosition).flatMap((flag, index) => (flag === 0 ? [index] : []));
    expect(result.trades.length).toBeGreaterThan(3);
    expect(flatBars.length).toBeGreaterThan(bars.length / 4);
    for (const index of flatBars) {
      const closed = result.trades.filter((trade) => trade.exitTime <= bars.time[index]);
      expect(equity[index]).toBeCloseTo(100_000 + closed.reduce((sum, trade) => sum + trade.pnl, 0), 6);
    }
  });
});
