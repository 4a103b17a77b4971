import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SeriesSma, Sma, sma } from "./index";
import { recomputeInterval } from "./sma";
import { expectSeriesClose, firstDefined, meanOf, randomWalk, windowEndingAt } from "./testing/series";
import { mulberry32 } from "@/lib/core/random";

function referenceSma(values: number[], period: number): number[] {
  return values.map((_, i) => {
    const window = windowEndingAt(values, i, period);
    return window ? meanOf(window) : NaN;
  });
}

describe("sma", () => {
  it("averages the last n closes: (1+2+3)/3 = 2, (2+3+4)/3 = 3, (3+4+8)/3 = 5", () => {
    expect(Array.from(sma([1, 2, 3, 4, 8], 3))).toEqual([NaN, NaN, 2, 3, 5]);
  });

  it("matches the obvious windowed mean on random walks", () => {
    const closes = randomWalk(2_000, 7);
    for (const period of [1, 2, 5, 20, 200, 700]) {
      expectSeriesClose(sma(closes, period), referenceSma(closes, period), 1e-12);
    }
  });

  it("is NaN exactly for the first n-1 values", () => {
    const closes = randomWalk(50, 1);
    expect(firstDefined(sma(closes, 10))).toBe(9);
    expect(firstDefined(sma(new Float64Array(closes), 1))).toBe(0);
  });

  it("returns only NaN when n exceeds the length, and an empty array for no input", () => {
    expect(Array.from(sma([1, 2, 3], 4))).toEqual([NaN, NaN, NaN]);
    expect(sma([], 3)).toHaveLength(0);
  });

  it("with n = 1 returns the input", () => {
    expect(Array.from(sma([3, -1, 4.5], 1))).toEqual([3, -1, 4.5]);
  });

  it("gives NaN while a missing value is in the window, then recovers", () => {
    // window 2: [1,NaN] NaN, [NaN,3] NaN, [3,5] 4, [5,7] 6
    expect(Array.from(sma([1, NaN, 3, 5, 7], 2))).toEqual([NaN, NaN, NaN, 4, 6]);
    expect(Array.from(sma([1, Infinity, 3, 5], 2))).toEqual([NaN, NaN, NaN, 4]);
  });

  it("rejects a period that is not a positive integer, naming it", () => {
    for (const bad of [0, -3, 2.5, NaN]) expect(() => sma([1, 2], bad)).toThrow(/period/);
    expect(() => new Sma(0)).toThrow(/Sma: period/);
  });

  it("incremental updates reproduce the batch output, and reset starts over", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(NaN)), { maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        (values, period) => {
          const live = new Sma(period);
          const batch = sma(values, period);
          values.forEach((x, i) => {
            expect(Object.is(live.update(x), batch[i])).toBe(true);
            expect(Object.is(live.value, batch[i])).toBe(true);
            expect(live.isReady).toBe(i >= period - 1);
          });
          live.reset();
          expect(live.value).toBeNaN();
          expect(live.isReady).toBe(false);
          expect(values.map((x) => live.update(x))).toEqual(Array.from(batch));
        },
      ),
    );
  });

  it("both faces agree bit for bit across many recomputations of the running sum, gaps included", () => {
    const random = mulberry32(31);
    const closes = randomWalk(5_000, 3, 10_000).map((x) => (random() < 0.003 ? NaN : random() < 0.001 ? Infinity : x));
    for (const period of [1, 3, 20, 255, 256, 300]) {
      expect(recomputeInterval(period) % period).toBe(0);
      const live = new Sma(period);
      const batch = sma(closes, period);
      closes.forEach((x, i) => expect(Object.is(live.update(x), batch[i]), `period ${period}, index ${i}`).toBe(true));
      // A window holding NaN or Infinity has no mean: NaN by this module's rule.
      expectSeriesClose(batch, referenceSma(closes, period).map((mean) => (Number.isFinite(mean) ? mean : NaN)), 1e-12);
    }
  });

  it("both faces agree bit for bit when the running sum overflows without a missing value", () => {
    const closes = Array.from({ length: 1_000 }, (_, i) => (i % 7 === 3 ? -1.7e308 : 1.7e308) * (1 - (i % 5) * 1e-3));
    for (const period of [2, 3, 20]) {
      const live = new Sma(period);
      const batch = sma(closes, period);
      closes.forEach((x, i) => expect(Object.is(live.update(x), batch[i]), `period ${period}, index ${i}`).toBe(true));
    }
  });

  it("read along a series (SeriesSma), gives the live face's numbers bit for bit, gaps and recomputes included", () => {
    const random = mulberry32(47);
    const closes = new Float64Array(randomWalk(5_000, 5, 10_000).map((x) => (random() < 0.003 ? NaN : random() < 0.001 ? -Infinity : x)));
    for (const period of [1, 2, 20, 199, 256, 700]) {
      const live = new Sma(period);
      const series = new SeriesSma(closes, period);
      closes.forEach((x, i) => expect(Object.is(series.takeIn(i), live.update(x)), `period ${period}, index ${i}`).toBe(true));
    }
  });

  it("SeriesSma says how far its running sum may move by x - outgoing alone: to the next recompute, not with a gap in the window", () => {
    const closes = new Float64Array(randomWalk(1_000, 2));
    closes[600] = NaN;
    const average = new SeriesSma(closes, 20);
    for (let i = 0; i < 19; i++) {
      average.takeIn(i);
      expect(average.plainRunUntil(i + 1)).toBe(i + 1);
    }
    average.takeIn(19);
    expect(average.plainRunUntil(20)).toBe(19 + recomputeInterval(20));
    for (let i = 20; i <= 600; i++) average.takeIn(i);
    expect(average.plainRunUntil(601)).toBe(601);
  });
});

