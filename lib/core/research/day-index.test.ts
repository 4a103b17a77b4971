import { describe, expect, it } from "vitest";
import { dailyReturns, dayEnds, type EquityCurve } from "../backtest/metrics";
import { DayIndex } from "./day-index";

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
        expect(Array.from(index.windowReturns(curve, returns, { start, end })), `bars ${start}-${end}`).toEqual(Array.from(dailyReturns(curve, start, end)));
      }
    }
  });

  it("has no returns for a window within one day", () => {
    expect(index.windowReturns(curve, returns, { start: 6, end: 9 })).toHaveLength(0);
    expect(index.windowReturns(curve, returns, { start: 4, end: 4 })).toHaveLength(0);
  });
});
