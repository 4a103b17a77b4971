import { expect } from "vitest";
import { mulberry32 } from "@/lib/core/random";

/** A price-like random walk starting at `start`. */
export function randomWalk(length: number, seed: number, start = 100): number[] {
  const random = mulberry32(seed);
  const prices: number[] = [];
  let price = start;
  for (let i = 0; i < length; i++) {
    price += random() - 0.5;
    prices.push(price);
  }
  return prices;
}

export interface RandomBars {
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

/** Random OHLC-consistent bars (high >= close >= low) with integer volumes, some of them 0. */
export function randomBars(length: number, seed: number): RandomBars {
  const random = mulberry32(seed);
  const close = randomWalk(length, seed + 1);
  return {
    close,
    high: close.map((c) => c + random()),
    low: close.map((c) => c - random()),
    volume: close.map(() => (random() < 0.1 ? 0 : Math.floor(random() * 1000))),
  };
}

/** Asserts equal length, NaN exactly where `expected` is NaN, and values within `tolerance`. */
export function expectSeriesClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(expected[i])) {
      expect(actual[i], `index ${i}`).toBeNaN();
    } else {
      const scale = Math.max(1, Math.abs(expected[i]));
      expect(Math.abs(actual[i] - expected[i]), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(
        tolerance * scale,
      );
    }
  }
}

/** Index of the first value that is not NaN, or -1. */
export function firstDefined(values: ArrayLike<number>): number {
  return Array.prototype.findIndex.call(values, (x: number) => !Number.isNaN(x));
}

/** Plain mean and population variance of `values`, the obvious way. */
export function meanOf(values: readonly number[]): number {
  return values.reduce((sum, x) => sum + x, 0) / values.length;
}

export function populationVarianceOf(values: readonly number[]): number {
  const mean = meanOf(values);
  return values.reduce((sum, x) => sum + (x - mean) ** 2, 0) / values.length;
}

/** `window(values, i, n)`: the n values ending at index i, or undefined before index n-1. */
export function windowEndingAt(values: readonly number[], index: number, period: number): number[] | undefined {
  return index + 1 >= period ? values.slice(index + 1 - period, index + 1) : undefined;
}
