import { describe, expect, it } from "vitest";
import { Macd, ema, macd } from "./index";
import { expectSeriesClose, firstDefined, meanOf, randomWalk } from "./testing/series";

/** An SMA-seeded EMA over `values` that starts seeding at index `from` (values before are ignored). */
function emaFrom(values: number[], period: number, from: number): number[] {
  const alpha = 2 / (period + 1);
  const out: number[] = values.map(() => NaN);
  const seedEnd = from + period - 1;
  if (seedEnd >= values.length) return out;
  out[seedEnd] = meanOf(values.slice(from, seedEnd + 1));
  for (let i = seedEnd + 1; i < values.length; i++) out[i] = out[i - 1] + alpha * (values[i] - out[i - 1]);
  return out;
}

function referenceMacd(closes: number[], fast: number, slow: number, signal: number) {
  const fastEma = emaFrom(closes, fast, 0);
  const slowEma = emaFrom(closes, slow, 0);
  const line = closes.map((_, i) => fastEma[i] - slowEma[i]);
  const signalLine = emaFrom(line, signal, slow - 1);
  return { line, signalLine, histogram: line.map((m, i) => m - signalLine[i]) };
}

/** TA-Lib seeds the fast EMA with the SMA of the `fast` closes ending at index slow-1. */
function taLibMacdLine(closes: number[], fast: number, slow: number): number[] {
  const fastEma = emaFrom(closes, fast, slow - fast);
  const slowEma = emaFrom(closes, slow, 0);
  return closes.map((_, i) => fastEma[i] - slowEma[i]);
}

describe("macd", () => {
  it("computes a short example by hand", () => {
    // fast 1 (EMA = close), slow 2 (alpha 2/3), signal 2 (alpha 2/3); closes 1, 3, 6, 6
    // slow EMA: index 1 (1+3)/2 = 2; index 2: 2 + 2/3·(6-2) = 14/3; index 3: 14/3 + 2/3·(6-14/3) = 50/9
    // macd: index 1: 3-2 = 1; index 2: 6-14/3 = 4/3; index 3: 6-50/9 = 4/9
    // signal: index 2: (1 + 4/3)/2 = 7/6; index 3: 7/6 + 2/3·(4/9 - 7/6) = 37/54
    const out = macd([1, 3, 6, 6], 1, 2, 2);
    expectSeriesClose(out.macd, [NaN, 1, 4 / 3, 4 / 9], 1e-12);
    expectSeriesClose(out.signal, [NaN, NaN, 7 / 6, 37 / 54], 1e-12);
    expectSeriesClose(out.histogram, [NaN, NaN, 4 / 3 - 7 / 6, 4 / 9 - 37 / 54], 1e-12);
  });

  it("is EMA(fast) - EMA(slow) with an SMA-seeded signal, on random walks", () => {
    const closes = randomWalk(600, 4);
    const out = macd(closes, 12, 26, 9);
    const reference = referenceMacd(closes, 12, 26, 9);
    expectSeriesClose(out.macd, reference.line, 1e-10);
    expectSeriesClose(out.signal, reference.signalLine, 1e-10);
    expectSeriesClose(out.histogram, reference.histogram, 1e-10);
    const fastMinusSlow = Array.from(ema(closes, 12)).map((f, i) => f - ema(closes, 26)[i]);
    expectSeriesClose(out.macd, fastMinusSlow, 1e-12);
  });

  it("places warm-up NaNs as the convention says: line from slow-1, signal from slow+signal-2", () => {
    const out = macd(randomWalk(100, 8), 12, 26, 9);
    expect(firstDefined(out.macd)).toBe(25);
    expect(firstDefined(out.signal)).toBe(33);
    expect(firstDefined(out.histogram)).toBe(33);
    const short = macd([1, 2, 3], 2, 5, 3);
    expect(Array.from(short.macd)).toEqual([NaN, NaN, NaN]);
  });

  it("differs from TA-Lib only by the fast EMA's seed, a difference that decays away", () => {
    const closes = randomWalk(400, 9);
    const ours = macd(closes, 12, 26, 9).macd;
    const taLib = taLibMacdLine(closes, 12, 26);
    expect(Math.abs(ours[25] - taLib[25])).toBeGreaterThan(1e-6);
    // (11/13)^k shrinks the seed difference: below 1e-12 after ~200 bars.
    expectSeriesClose(ours.slice(250), taLib.slice(250), 1e-12);
  });

  it("requires fast < slow and positive integer periods, naming the parameter", () => {
    expect(() => macd([1], 26, 12, 9)).toThrow(/fast \(26\) must be less than slow \(12\)/);
    expect(() => macd([1], 12, 26, 0)).toThrow(/signal/);
    expect(() => new Macd(0, 26, 9)).toThrow(/Macd: fast/);
  });

  it("the incremental value holds the three lines; ready with the first signal value", () => {
    const closes = randomWalk(60, 10);
    const batch = macd(closes, 3, 6, 4);
    const live = new Macd(3, 6, 4);
    closes.forEach((close, i) => {
      const value = live.update(close);
      expect([value.macd, value.signal, value.histogram]).toEqual([
        batch.macd[i],
        batch.signal[i],
        batch.histogram[i],
      ]);
      expect(live.isReady).toBe(i >= 8);
    });
  });
});
