import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as indicators from "./index";
import { mulberry32 } from "@/lib/core/random";
import { randomWalk } from "./testing/series";

/** Prices with occasional missing values, so the NaN rules of both faces are exercised too. */
const price = fc.oneof(
  { weight: 20, arbitrary: fc.double({ min: 1, max: 1_000, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(NaN) },
);
const prices = fc.array(price, { maxLength: 200 });
const period = fc.integer({ min: 1, max: 30 });

/** Same numbers, bit for bit, NaN included. */
function expectIdentical(live: readonly number[], batch: ArrayLike<number>): void {
  expect(live.length).toBe(batch.length);
  live.forEach((value, i) => expect(Object.is(value, batch[i]), `index ${i}: ${value} vs ${batch[i]}`).toBe(true));
}

function runLive<In, Out>(indicator: indicators.IncrementalIndicator<In, Out>, inputs: readonly In[]): Out[] {
  return inputs.map((input) => {
    const returned = indicator.update(input);
    expect(indicator.value).toEqual(returned);
    return returned;
  });
}

describe("the incremental face reproduces the batch face exactly", () => {
  it("sma, ema, rsi, z-score, rolling high and low", () => {
    const pairs = [
      [(n: number) => new indicators.Sma(n), indicators.sma],
      [(n: number) => new indicators.Ema(n), indicators.ema],
      [(n: number) => new indicators.Rsi(n), indicators.rsi],
      [(n: number) => new indicators.ZScore(n), indicators.zscore],
      [(n: number) => new indicators.RollingHigh(n), indicators.rollingHigh],
      [(n: number) => new indicators.RollingLow(n), indicators.rollingLow],
    ] as const;
    fc.assert(
      fc.property(prices, period, (closes, n) => {
        for (const [create, batch] of pairs) expectIdentical(runLive(create(n), closes), batch(closes, n));
      }),
    );
  });

  it("macd", () => {
    fc.assert(
      fc.property(prices, period, period, period, (closes, a, b, signal) => {
        fc.pre(a !== b);
        const [fast, slow] = a < b ? [a, b] : [b, a];
        const live = runLive(new indicators.Macd(fast, slow, signal), closes);
        const batch = indicators.macd(closes, fast, slow, signal);
        expectIdentical(live.map((v) => v.macd), batch.macd);
        expectIdentical(live.map((v) => v.signal), batch.signal);
        expectIdentical(live.map((v) => v.histogram), batch.histogram);
      }),
    );
  });

  it("bollinger", () => {
    fc.assert(
      fc.property(prices, period, fc.double({ min: 0, max: 4, noNaN: true }), (closes, n, k) => {
        const live = runLive(new indicators.Bollinger(n, k), closes);
        const batch = indicators.bollinger(closes, n, k);
        expectIdentical(live.map((v) => v.middle), batch.middle);
        expectIdentical(live.map((v) => v.upper), batch.upper);
        expectIdentical(live.map((v) => v.lower), batch.lower);
      }),
    );
  });

  it("atr", () => {
    fc.assert(
      fc.property(prices, period, (closes, n) => {
        const bars = closes.map((close, i) => ({ high: close + (i % 3), low: close - (i % 2), close }));
        const live = runLive(new indicators.Atr(n), bars);
        const batch = indicators.atr(
          bars.map((b) => b.high),
          bars.map((b) => b.low),
          closes,
          n,
        );
        expectIdentical(live, batch);
      }),
    );
  });

  it("rolling vwap", () => {
    const volume = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10_000 }), fc.constant(NaN));
    fc.assert(
      fc.property(fc.array(fc.tuple(price, volume), { maxLength: 200 }), period, (rows, n) => {
        const inputs = rows.map(([price, volume]) => ({ price, volume }));
        const live = runLive(new indicators.RollingVwap(n, 2), inputs);
        const batch = indicators.vwap(
          inputs.map((r) => r.price),
          inputs.map((r) => r.volume),
          n,
        );
        expectIdentical(live.map((v) => v.vwap), batch);
      }),
    );
  });

  it("agree over long series, across many recomputations of the rolling sums and many blocks, gaps included", () => {
    const random = mulberry32(47);
    const gappy = (x: number) => (random() < 0.003 ? NaN : random() < 0.001 ? Infinity : x);
    const closes = randomWalk(3_000, 5, 10_000).map(gappy);
    const volumes = closes.map(() => (random() < 0.05 ? 0 : gappy(Math.floor(random() * 1_000))));
    for (const n of [1, 3, 20, 255, 256, 300]) {
      const single = [
        [new indicators.Ema(n), indicators.ema],
        [new indicators.Rsi(n), indicators.rsi],
        [new indicators.ZScore(n), indicators.zscore],
        [new indicators.RollingHigh(n), indicators.rollingHigh],
        [new indicators.RollingLow(n), indicators.rollingLow],
      ] as const;
      for (const [live, batch] of single) expectIdentical(closes.map((x) => live.update(x)), batch(closes, n));
      const vwap = new indicators.RollingVwap(n, 2);
      const inputs = closes.map((price, i) => ({ price, volume: volumes[i] }));
      expectIdentical(inputs.map((bar) => vwap.update(bar).vwap), indicators.vwap(closes, volumes, n));
    }
  });

  it("accept plain arrays and Float64Arrays alike", () => {
    const closes = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    expectIdentical(Array.from(indicators.rsi(closes, 3)), indicators.rsi(Float64Array.from(closes), 3));
    expectIdentical(Array.from(indicators.zscore(closes, 3)), indicators.zscore(Float64Array.from(closes), 3));
  });
});

describe("isReady", () => {
  it("turns true exactly at the first value of a series without missing data", () => {
    const closes = Array.from({ length: 60 }, (_, i) => 100 + Math.sin(i) * 5);
    const bars = closes.map((close) => ({ high: close + 1, low: close - 1, close }));
    const flows = closes.map((price, i) => ({ price, volume: 100 + i }));
    const firstReady = <In, Out>(indicator: indicators.IncrementalIndicator<In, Out>, inputs: readonly In[]) =>
      inputs.findIndex((input) => (indicator.update(input), indicator.isReady));
    expect(firstReady(new indicators.Sma(10), closes)).toBe(9);
    expect(firstReady(new indicators.Ema(10), closes)).toBe(9);
    expect(firstReady(new indicators.Rsi(14), closes)).toBe(14);
    expect(firstReady(new indicators.Macd(12, 26, 9), closes)).toBe(33);
    expect(firstReady(new indicators.Bollinger(20, 2), closes)).toBe(19);
    expect(firstReady(new indicators.Atr(14), bars)).toBe(14);
    expect(firstReady(new indicators.RollingVwap(10, 1), flows)).toBe(9);
    expect(firstReady(new indicators.RollingHigh(5), closes)).toBe(4);
    expect(firstReady(new indicators.RollingLow(5), closes)).toBe(4);
    expect(firstReady(new indicators.ZScore(7), closes)).toBe(6);
  });

  it("values are NaN (or all-NaN objects) before any update", () => {
    expect(new indicators.Sma(3).value).toBeNaN();
    expect(new indicators.Macd(2, 3, 2).value).toEqual({ macd: NaN, signal: NaN, histogram: NaN });
    expect(new indicators.Bollinger(3, 2).value).toEqual({ middle: NaN, upper: NaN, lower: NaN });
    expect(new indicators.RollingVwap(3, 2).value).toEqual({ vwap: NaN, upper: NaN, lower: NaN });
  });
});
