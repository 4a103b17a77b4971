import { describe, expect, it } from "vitest";
import { dailyReturns, dayEnds, type EquityCurve } from "../backtest/metrics";
import { DayIndex } from "./day-index";
import { sliceCurve } from "./evaluation";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const utcDay = (time: number) => Math.floor(time / DAY);

describe("a day index", () => {
  // Days of 3, 1, 2, 4 and 1 bars.
  const hours = [[14, 15, 20], [14], [9, 16], [10, 11, 12, 13], [15]].flatMap((day, index) => day.map((hour) => index * DAY + hour * HOUR));
  const curve: EquityCurve = {
    time: Float64Array.from(hours),
    equity: Float64Array.from(hours, (_, i) => 100 + 7 * Math.sin(i * 1.3) + i),
    inPosition: new Uint8Array(hours.length),
    initialCapital: 100,
    dayOf: utcDay,
  };
  const index = DayIndex.of(dayEnds(curve.time, utcDay));
  const returns = dailyReturns(curve);

  it("reads every window's daily returns out of the whole curve's, as if the window were a curve of its own", () => {
    for (let start = 0; start <= hours.length; start++) {
      for (let end = start; end <= hours.length; end++) {
        const window = { start, end };
        expect(Array.from(index.windowReturns(curve, returns, window)), `bars ${start}-${end}`).toEqual(Array.from(dailyReturns(sliceCurve(curve, window))));
      }
    }
  });

  it("ends a window's last day on its last bar, though that bar does not end its day", () => {
    // Bars 3-7: bar 3 ends day 1, bar 5 day 2, and bar 7 is the second of day 3's four bars.
    const { equity } = curve;
    expect(Array.from(index.windowReturns(curve, returns, { start: 3, end: 8 }))).toEqual([equity[5] / equity[3] - 1, equity[7] / equity[5] - 1]);
  });

  it("has no returns for a window within one day", () => {
    expect(index.windowReturns(curve, returns, { start: 6, end: 9 })).toHaveLength(0);
    expect(index.windowReturns(curve, returns, { start: 4, end: 4 })).toHaveLength(0);
  });
});
