import { describe, expect, it } from "vitest";
import { computeMetrics, curveStatistics, dailyReturns, dayEnds, maxDrawdown, sharpe, sortino, type EquityCurve } from "./metrics";
import type { Trade } from "./trades";

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const utcDay = (time: number) => Math.floor(time / DAY);

function curve(equity: number[], times?: number[], inPosition?: number[]): EquityCurve {
  return {
    time: Float64Array.from(times ?? equity.map((_, i) => T0 + i * DAY)),
    equity: Float64Array.from(equity),
    inPosition: Uint8Array.from(inPosition ?? equity.map(() => 1)),
    initialCapital: 100,
    dayOf: utcDay,
  };
}

const trade = (pnl: number): Trade => ({ direction: "long", entryTime: T0, exitTime: T0 + DAY, entryPrice: 1, exitPrice: 1, quantity: 1, pnl, commission: 0 });

describe("metrics on a hand-computed equity curve", () => {
  // Equity 100, 110, 99, 99, 121 at five daily closes.
  // Daily returns: +0.1, -0.1, 0, +0.2222222 (121/99 - 1)
  // mean = 0.2222222 / 4 = 0.0555556
  // deviations: 0.0444444, -0.1555556, -0.0555556, 0.1666667
  // squares: 0.0019753, 0.0241975, 0.0030864, 0.0277778; sum 0.0570370; / (n-1 = 3) = 0.0190123; sd = 0.1378853
  // Sharpe = sqrt(252) x 0.0555556 / 0.1378853 = 15.874508 x 0.4029114 = 6.396020
  // downside: only -0.1 counts: mean(0.01, 0, 0, 0) = 0.0025, sqrt = 0.05
  // Sortino = 15.874508 x 0.0555556 / 0.05 = 17.638342
  // Drawdown: peak 110 -> 99 = 11 / 110 = 0.1, from day 1 to the recovery on day 4: 3 days, 3 bars
  const metrics = computeMetrics(curve([100, 110, 99, 99, 121], undefined, [0, 1, 1, 0, 1]), [trade(10), trade(-5), trade(20), trade(-5)]);

  it("computes returns", () => {
    expect(metrics.finalCapital).toBe(121);
    expect(metrics.totalReturn).toBeCloseTo(0.21, 12);
    // 4 calendar days = 4 / 365.25 years: 1.21^(365.25 / 4) - 1
    expect(metrics.cagr / (Math.pow(1.21, 91.3125) - 1)).toBeCloseTo(1, 10);
    expect(metrics.dailyReturns).toBe(4);
  });

  it("compounds over 365.25-day years", () => {
    // Doubling over exactly two calendar years of 365.25 days: sqrt(2) - 1 a year
    const twoYears = computeMetrics(curve([100, 200], [T0, T0 + 2 * 365.25 * DAY]), []);
    expect(twoYears.cagr).toBeCloseTo(Math.SQRT2 - 1, 12);
  });

  it("annualizes Sharpe with the sample deviation and Sortino with the full downside deviation", () => {
    expect(metrics.sharpe).toBeCloseTo(6.39602, 4);
    expect(metrics.sortino).toBeCloseTo(17.63834, 4);
  });

  it("measures the deepest drawdown from the running peak and its duration", () => {
    expect(metrics.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(metrics.maxDrawdownDuration).toBe(3);
    expect(metrics.maxDrawdownDurationBars).toBe(3);
  });

  it("summarizes trades and exposure", () => {
    expect(metrics.tradeCount).toBe(4);
    expect(metrics.profitPerTrade).toBe(5);
    expect(metrics.winRate).toBe(0.5);
    expect(metrics.profitFactor).toBe(3);
    expect(metrics.exposure).toBe(3 / 5);
  });
});

describe("metric edge cases", () => {
  it("counts the starting capital as the first peak", () => {
    // Never above the start: 100 -> 80 is a 20% drawdown still open at the end (2 days)
    const metrics = computeMetrics(curve([95, 80, 90]), []);
    expect(metrics.maxDrawdown).toBeCloseTo(0.2, 12);
    expect(metrics.maxDrawdownDuration).toBe(2);
  });

  it("takes daily returns from end-of-day equity for intraday bars", () => {
    const hours = (day: number, ...h: number[]) => h.map((hour) => T0 + day * DAY + hour * 3_600_000);
    const times = [...hours(0, 14, 15, 20), ...hours(1, 14, 20), ...hours(2, 15)];
    // End-of-day equities: 104 (day 0), 98.8 (day 1), 102.752 (day 2): returns -0.05 and +0.04
    const metrics = computeMetrics(curve([101, 90, 104, 120, 98.8, 102.752], times), []);
    expect(metrics.dailyReturns).toBe(2);
    // mean -0.005 / (sample sd of (-0.05, 0.04) = 0.0636396) x sqrt(252)
    expect(metrics.sharpe).toBeCloseTo((Math.sqrt(252) * -0.005) / 0.06363961, 4);
    // The intraday dip from 120 to 98.8 is in the drawdown: 21.2 / 120
    expect(metrics.maxDrawdown).toBeCloseTo(21.2 / 120, 12);
  });

  it("gives zeros rather than NaN or division by zero when nothing happened", () => {
    const metrics = computeMetrics(curve([100, 100, 100]), []);
    expect(metrics).toMatchObject({ sharpe: 0, sortino: 0, maxDrawdown: 0, tradeCount: 0, profitPerTrade: 0, winRate: 0, profitFactor: 0, totalReturn: 0 });
    expect(computeMetrics(curve([100, 110]), [trade(10)]).profitFactor).toBe(Infinity);
  });
});

describe("Sharpe's one-pass variance", () => {
  /** Mean and sample variance the textbook way, two passes, each sum compensated (Neumaier). */
  function carefulSharpe(returns: Float64Array): number {
    const compensatedSum = (term: (value: number) => number) => {
      let sum = 0;
      let carry = 0;
      for (const value of returns) {
        const x = term(value);
        const next = sum + x;
        carry += Math.abs(sum) >= Math.abs(x) ? sum - next + x : x - next + sum;
        sum = next;
      }
      return sum + carry;
    };
    const average = compensatedSum((r) => r) / returns.length;
    const variance = compensatedSum((r) => (r - average) ** 2) / (returns.length - 1);
    return (Math.sqrt(252) * average) / Math.sqrt(variance);
  }

  const noise = (seed: number) => {
    let state = seed;
    return () => (state = (state * 16807) % 2147483647) / 2147483647 - 0.5;
  };

  it.each([
    ["ordinary daily returns", 0, 0.02, 5_000],
    ["a steady drift far larger than the spread", 0.01, 1e-7, 5_000],
    ["a first return far from the others", 0, 1e-4, 5_000],
    ["a long series", 3e-4, 0.01, 1_000_000],
  ])("agrees with a compensated two-pass reference: %s", (name, drift, spread, count) => {
    const next = noise(count);
    const returns = Float64Array.from({ length: count }, () => drift + spread * next());
    if (name === "a first return far from the others") returns[0] = 0.5;
    expect(sharpe(returns) / carefulSharpe(returns)).toBeCloseTo(1, 10);
  });
});

describe("day ends", () => {
  const hours = (day: number, ...h: number[]) => h.map((hour) => T0 + day * DAY + hour * 3_600_000);

  it("mark each bar whose next bar falls on another day, and the last bar", () => {
    const time = Float64Array.from([...hours(0, 14, 15, 20), ...hours(1, 14), ...hours(3, 9, 10)]);
    expect(Array.from(dayEnds(time, utcDay))).toEqual([0, 0, 1, 1, 0, 1]);
    expect(Array.from(dayEnds(new Float64Array(0), utcDay))).toEqual([]);
  });

  it("follow the calendar's days, not UTC's", () => {
    // 14:00, 16:00 and 20:00 UTC are one UTC day; in Tokyo (UTC+9) 23:00 on one day, then 01:00 and 05:00 on the next.
    const time = Float64Array.from(hours(0, 14, 16, 20));
    const tokyoDay = (instant: number) => Math.floor((instant + 9 * 3_600_000) / DAY);
    expect(Array.from(dayEnds(time, utcDay))).toEqual([0, 0, 1]);
    expect(Array.from(dayEnds(time, tokyoDay))).toEqual([1, 0, 1]);
  });

  it("given with a curve, are the ones the metrics read", () => {
    const times = [...hours(0, 14, 15, 20), ...hours(1, 14, 20), ...hours(2, 15)];
    const equity = [101, 90, 104, 120, 98.8, 102.752];
    const plain = curve(equity, times);
    const shared = { ...plain, dayEnds: dayEnds(plain.time, plain.dayOf) };
    expect(computeMetrics(shared, [])).toEqual(computeMetrics(plain, []));
    expect(dailyReturns(shared)).toEqual(dailyReturns(plain));
    // Day ends that say otherwise (every bar its own day) are what the metrics go by.
    const everyBar = { ...plain, dayEnds: new Uint8Array(equity.length).fill(1) };
    expect(curveStatistics(everyBar).dailyReturns).toBe(equity.length - 1);
    expect(dailyReturns(everyBar)).toHaveLength(equity.length - 1);
  });

  it("leave no room for a curve's daily returns in a shorter array", () => {
    expect(() => curveStatistics(curve([100, 101, 102]), new Float64Array(1))).toThrow(/room for 1 daily returns for a curve of 3 bars/);
  });

  it("of another length than the curve are refused", () => {
    const plain = curve([100, 101, 102]);
    expect(() => curveStatistics({ ...plain, dayEnds: new Uint8Array(2) })).toThrow(RangeError);
    expect(() => dailyReturns({ ...plain, dayEnds: new Uint8Array(4) })).toThrow(/day ends of 4 bars for a curve of 3/);
  });
});

describe("the one-pass curve statistics", () => {
  // 70,000 days of up to three bars cross the blocks the walk reads the curve in.
  it.each([
    [3, 400],
    [1, 400],
    [3, 70_000],
  ])("equal the separate Sharpe, Sortino and drawdown over the same daily returns, to the last bit (up to %i bars a day, %i days)", (barsPerDay, days) => {
    let state = 7;
    const random = () => ((state = (state * 16807) % 2147483647) / 2147483647);
    const times: number[] = [];
    const equity: number[] = [];
    const inPosition: number[] = [];
    let value = 100;
    for (let day = 0; day < days; day++) {
      // With more than one bar a day some bars do not end their day.
      for (let bar = 0, bars = 1 + Math.floor(random() * barsPerDay); bar < bars; bar++) {
        value *= 1 + (random() - 0.5) * 0.04;
        times.push(T0 + day * DAY + bar * 3_600_000);
        equity.push(value);
        inPosition.push(random() < 0.5 ? 1 : 0);
      }
    }
    const series = curve(equity, times, inPosition);
    const statistics = curveStatistics(series);
    const returns = dailyReturns(series);
    expect(statistics.dailyReturns).toBe(days - 1);
    expect(returns.length).toBe(days - 1);
    expect(statistics.sharpe).toBe(sharpe(returns));
    expect(statistics.sortino).toBe(sortino(returns));
    expect(statistics.drawdown).toEqual(maxDrawdown(series));
    expect(statistics.barsInPosition).toBe(inPosition.filter((flag) => flag === 1).length);
    expect(curveStatistics({ ...series, dayEnds: dayEnds(series.time, series.dayOf) })).toEqual(statistics);
    const into = new Float64Array(times.length - 1);
    expect(curveStatistics(series, into)).toEqual(statistics);
    expect(into.subarray(0, statistics.dailyReturns)).toEqual(returns);
  });
});

describe("curve statistics' drawdown near the depth it has reached", () => {
  /** Values a few units in the last place either side of `value`, each lower than the one before. */
  const around = (value: number) => {
    const bits = new Float64Array([value]);
    const raw = new BigInt64Array(bits.buffer);
    return [3n, 2n, 1n, 0n, -1n, -2n, -3n].map((step) => new Float64Array(new BigInt64Array([raw[0] + step]).buffer)[0]);
  };

  it.each([1e-9, 1e-6, 0.01, 0.3, 0.5, 0.9, 0.999999, 1 - 1e-12])(
    "equals the bar-by-bar division whatever the falls just either side of a depth of %d",
    (depth) => {
      let state = 11;
      const random = () => ((state = (state * 16807) % 2147483647) / 2147483647);
      const equity = [100];
      for (let step = 0; step < 300; step++) {
        const peak = 100 + Math.floor(step / 100);
        if (step % 100 === 0) equity.push(peak);
        const reached = depth * (1 + (random() - 0.5) * 1e-6);
        equity.push(...around(peak * (1 - reached)), ...around(peak - peak * reached));
      }
      const series = curve(equity);
      expect(curveStatistics(series).drawdown).toEqual(maxDrawdown(series));
    },
  );
});

describe("curve statistics where a daily return is not finite", () => {
  it.each([
    ["equity of 0 then positive (+Infinity)", [100, 0, 50, 60, 55]],
    ["equity of 0 twice (NaN)", [100, 90, 0, 0, 10, 9]],
    ["a missing equity (NaN)", [100, 90, NaN, 95, 94]],
  ])("%s: the same Sortino and Sharpe as over the daily returns", (_, values) => {
    const series = curve(values);
    const statistics = curveStatistics(series);
    const returns = dailyReturns(series);
    expect(statistics.sortino).toBe(sortino(returns));
    expect(statistics.sharpe).toBe(sharpe(returns));
  });
});
