import { equityAt, type EquityCurve } from "../backtest/metrics";
import type { IndexSpan } from "./walk-forward";

const NO_RETURNS = new Float64Array(0);

/**
 * Where the days of a run's bars end, so that a window's daily returns can be read out of the
 * whole run's instead of walking the window's bars again: for each bar, how many days ended
 * before it, and for each day, its last bar. The same for every run over the same bars.
 */
export class DayIndex {
  private constructor(
    /** Days that ended before bar i, for i from 0 to the bar count. */
    private readonly endsBefore: Int32Array,
    /** The last bar of each day. */
    private readonly lastBars: Int32Array,
  ) {}

  /** From the bars' day ends (see `dayEnds`). */
  static of(dayEnds: Uint8Array): DayIndex {
    const endsBefore = new Int32Array(dayEnds.length + 1);
    for (let i = 0; i < dayEnds.length; i++) endsBefore[i + 1] = endsBefore[i] + dayEnds[i];
    const lastBars = new Int32Array(endsBefore[dayEnds.length]);
    for (let i = 0; i < dayEnds.length; i++) if (dayEnds[i] === 1) lastBars[endsBefore[i]] = i;
    return new DayIndex(endsBefore, lastBars);
  }

  /**
   * The daily returns of bars [start, end) of `curve` taken as a curve of their own, whose last
   * bar ends its day (`dailyReturns` of `sliceCurve(curve, span)`), read from the whole curve's
   * daily `returns` (return d runs from the end of day d to the end of day d + 1).
   */
  windowReturns(curve: EquityCurve, returns: Float64Array, span: IndexSpan): Float64Array {
    const { start, end } = span;
    if (end <= start) return NO_RETURNS;
    const firstDay = this.endsBefore[start];
    const daysBeforeLastBar = this.endsBefore[end - 1];
    if (this.endsBefore[end] > daysBeforeLastBar) return returns.subarray(firstDay, daysBeforeLastBar);
    // The window's last bar is not the last of its day, but it ends the window's last day.
    const lastWholeDay = daysBeforeLastBar - 1;
    if (lastWholeDay < firstDay) return NO_RETURNS;
    const within = returns.subarray(firstDay, lastWholeDay);
    const withLast = new Float64Array(within.length + 1);
    withLast.set(within);
    withLast[within.length] = equityAt(curve, end - 1) / equityAt(curve, this.lastBars[lastWholeDay]) - 1;
    return withLast;
  }
}
