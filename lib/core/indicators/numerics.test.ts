import { describe, expect, it } from "vitest";
import { bollinger, sma, vwap, zscore } from "./index";
import { mulberry32 } from "@/lib/core/random";

const LENGTH = 10_000_000;
const PERIOD = 50;

/** Neumaier-compensated Σ term(i) for i in [from, to): accurate to about one rounding of the result. */
function exactSum(from: number, to: number, term: (i: number) => number): number {
  let sum = 0;
  let compensation = 0;
  for (let i = from; i < to; i++) {
    const value = term(i);
    const next = sum + value;
    compensation += Math.abs(sum) >= Math.abs(value) ? sum - next + value : value - next + sum;
    sum = next;
  }
  return sum + compensation;
}

/** A long random walk far from zero, the hard case for rolling sums (large level, small moves). */
function longWalk(): Float64Array {
  const random = mulberry32(2024);
  const prices = new Float64Array(LENGTH);
  let price = 50_000;
  for (let i = 0; i < LENGTH; i++) {
    price += (random() - 0.5) * 0.01;
    prices[i] = price;
  }
  return prices;
}

/** 50 indexes spread over the series, and the very last one. */
const SAMPLES = Array.from({ length: 50 }, (_, k) => Math.floor(((k + 1) * LENGTH) / 51)).concat([LENGTH - 1]);

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe("rolling sums over 10,000,000 points", () => {
  const prices = longWalk();
  const windowMean = (end: number) => exactSum(end + 1 - PERIOD, end + 1, (j) => prices[j]) / PERIOD;

  it("SMA does not drift: it matches a compensated window sum at points spread over the series", () => {
    const out = sma(prices, PERIOD);
    for (const i of SAMPLES) expect(relativeError(out[i], windowMean(i)), `index ${i}`).toBeLessThan(1e-14);
  });

  it("Bollinger width matches a two-pass standard deviation; it is never negative or NaN", () => {
    const out = bollinger(prices, PERIOD, 1);
    for (const i of SAMPLES) {
      const mean = windowMean(i);
      const variance = exactSum(i + 1 - PERIOD, i + 1, (j) => (prices[j] - mean) ** 2) / PERIOD;
      expect(relativeError(out.upper[i] - out.middle[i], Math.sqrt(variance)), `index ${i}`).toBeLessThan(1e-9);
    }
    let invalid = 0;
    for (let i = PERIOD - 1; i < LENGTH; i++) if (!(out.upper[i] >= out.middle[i])) invalid++;
    expect(invalid).toBe(0);
  });

  it("z-score is finite everywhere after warm-up", () => {
    const out = zscore(prices, PERIOD);
    let invalid = 0;
    for (let i = PERIOD - 1; i < LENGTH; i++) if (!Number.isFinite(out[i])) invalid++;
    expect(invalid).toBe(0);
  });

  it("rolling VWAP does not drift", () => {
    const random = mulberry32(7);
    const volume = Float64Array.from({ length: LENGTH }, () => 0.5 + random() * 1_000);
    const out = vwap(prices, volume, PERIOD);
    for (const i of SAMPLES) {
      const from = i + 1 - PERIOD;
      const expected = exactSum(from, i + 1, (j) => prices[j] * volume[j]) / exactSum(from, i + 1, (j) => volume[j]);
      expect(relativeError(out[i], expected), `index ${i}`).toBeLessThan(1e-14);
    }
  });
});
