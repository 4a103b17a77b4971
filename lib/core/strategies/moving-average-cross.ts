import { z } from "zod";
import type { Bar, BarSeries } from "../data/bars";
import { Ema, SeriesSma, Sma, type AverageCache } from "../indicators";
import { isObserved } from "../indicators/validate";
import { directionOf, type Direction, type Strategy, type StrategyContext } from "./types";

export const crossModeSchema = z.enum(["state", "cross"]);
export type CrossMode = z.infer<typeof crossModeSchema>;

export const movingAverageCrossSchema = z
  .object({
    fast: z.number().int().positive(),
    slow: z.number().int().positive(),
    /** state: hold the side the averages point to; cross: act only on an observed crossing. */
    mode: crossModeSchema.default("state"),
    longOnly: z.boolean().default(true),
    average: z.enum(["sma", "ema"]).default("sma"),
  })
  .refine((params) => params.fast < params.slow, { message: "fast must be shorter than slow", path: ["fast"] });

export type MovingAverageCrossParams = z.infer<typeof movingAverageCrossSchema>;

interface Average {
  update(x: number): number;
}

/** fast - slow for the next close. */
interface SpreadSource {
  next(close: number): number;
}

class LiveSpread implements SpreadSource {
  constructor(
    private readonly fast: Average,
    private readonly slow: Average,
  ) {}

  next(close: number): number {
    return this.fast.update(close) - this.slow.update(close);
  }
}

/**
 * The spreads on which the strategy would act with its position as it is (see `wouldAct`): one
 * above zero (long wanted) when `above`, one below zero when `below`; in cross mode only a spread
 * whose previous one was not already on its side.
 */
interface Trigger {
  readonly above: boolean;
  readonly below: boolean;
  readonly crossing: boolean;
}

function triggers(spread: number, previous: number, trigger: Trigger): boolean {
  if (spread > 0) return trigger.above && (!trigger.crossing || previous <= 0);
  if (spread < 0) return trigger.below && (!trigger.crossing || previous >= 0);
  return false;
}

/** fast - slow of a prepared series, one bar after another, able to pass over bars. */
interface PreparedSpread extends SpreadSource {
  /** Moves past the next bar and returns its spread (the close is the series' own); NaN past the end. */
  next(): number;
  /**
   * Moves past up to `limit` bars whose spread does not trigger, `previous` being the spread of
   * the bar before the next; returns how many it passed, and the last one's spread (or `previous`).
   */
  passUntil(trigger: Trigger, previous: number, limit: number): { passed: number; previous: number };
}

/** The spread of batch averages of the series being replayed, one bar per call, in order. */
class ReplayedSpread implements PreparedSpread {
  private index = 0;

  constructor(
    private readonly fast: Float64Array,
    private readonly slow: Float64Array,
  ) {}

  next(): number {
    const index = this.index++;
    return index < this.fast.length ? this.fast[index] - this.slow[index] : NaN;
  }

  passUntil(trigger: Trigger, previous: number, limit: number): { passed: number; previous: number } {
    const { fast, slow } = this;
    const start = this.index;
    const end = Math.min(start + limit, fast.length);
    // A local known to hold a number, unlike the parameter: the loop keeps it unboxed.
    let last = +previous;
    let index = start;
    for (; index < end; index++) {
      const spread = fast[index] - slow[index];
      if (triggers(spread, last, trigger)) break;
      last = spread;
    }
    this.index = index;
    return { passed: index - start, previous: last };
  }
}

/**
 * Averages fed the series' closes in order, as it is replayed: the same numbers as the batch ones,
 * without a whole-series array per average. The bar that stops a pass is already in the averages:
 * its spread is kept for the `next` that moves past it.
 */
abstract class StreamedSpread implements PreparedSpread {
  /** The next bar to feed, or the held one. */
  protected index = 0;
  /** A pass stopped on a bar that triggers: it is fed, its spread waits for `next`. */
  protected pending = false;
  private pendingSpread = NaN;

  constructor(protected readonly close: Float64Array) {}

  /** Feeds bar `index` (the one after the last fed) to the averages; returns its spread. */
  protected abstract takeIn(index: number): number;

  next(): number {
    if (this.pending) {
      this.pending = false;
      this.index++;
      return this.pendingSpread;
    }
    const index = this.index;
    if (index >= this.close.length) return NaN;
    this.index = index + 1;
    return this.takeIn(index);
  }

  abstract passUntil(trigger: Trigger, previous: number, limit: number): { passed: number; previous: number };

  /** Bar `index` is taken in and triggers: its spread waits for the `next` that moves past it. */
  protected hold(spread: number, index: number): number {
    this.pending = true;
    this.pendingSpread = spread;
    return index;
  }
}

/** Incremental averages (any kind) fed one close at a time. */
class StreamedAverages extends StreamedSpread {
  constructor(
    close: Float64Array,
    private readonly fast: Average,
    private readonly slow: Average,
  ) {
    super(close);
  }

  protected takeIn(index: number): number {
    return this.fast.update(this.close[index]) - this.slow.update(this.close[index]);
  }

  passUntil(trigger: Trigger, previous: number, limit: number): { passed: number; previous: number } {
    if (this.pending || limit <= 0) return { passed: 0, previous };
    const start = this.index;
    const end = Math.min(start + limit, this.close.length);
    let last = +previous;
    let index = start;
    for (; index < end; index++) {
      const spread = this.takeIn(index);
      if (triggers(spread, last, trigger)) {
        this.hold(spread, index);
        break;
      }
      last = spread;
    }
    this.index = index;
    return { passed: index - start, previous: last };
  }
}

/**
 * SMAs that read their windows from the series: the same numbers as the incremental {@link Sma}s
 * fed the closes in order. Passing over bars, it moves both running sums itself while both windows
 * are whole and no exact recompute is due, and leaves every other bar to the averages.
 */
class StreamedSmas extends StreamedSpread {
  /** The spread of the last bar a pass moved past (its `previous` when it stopped). */
  private lastPassed = NaN;

  constructor(
    close: Float64Array,
    private readonly fast: SeriesSma,
    private readonly slow: SeriesSma,
  ) {
    super(close);
  }

  protected takeIn(index: number): number {
    return this.fast.takeIn(index) - this.slow.takeIn(index);
  }

  passUntil(trigger: Trigger, previous: number, limit: number): { passed: number; previous: number } {
    if (this.pending || limit <= 0) return { passed: 0, previous };
    const { fast, slow } = this;
    const start = this.index;
    const end = Math.min(start + limit, this.close.length);
    this.lastPassed = +previous;
    let index = start;
    while (index < end && !this.pending) {
      const plainEnd = Math.min(end, fast.plainRunUntil(index), slow.plainRunUntil(index));
      index = plainEnd > index ? this.passPlain(index, plainEnd, trigger) : this.passOne(index, trigger);
    }
    this.index = index;
    return { passed: index - start, previous: this.lastPassed };
  }

  /** Takes in bar `index` through the averages; returns the bar after it, or `index` if it triggers. */
  private passOne(index: number, trigger: Trigger): number {
    const spread = this.takeIn(index);
    if (triggers(spread, this.lastPassed, trigger)) return this.hold(spread, index);
    this.lastPassed = spread;
    return index + 1;
  }

  /**
   * Bars [from, to): both windows whole, no recompute due. Moves the running sums by `x - outgoing`
   * until a bar triggers or a change is missing (that bar then goes through the averages); returns
   * the bar after the last one passed. Tries first without checking each change: a missing change
   * leaves its running sum, and so every spread after it, NaN or infinite for good, so a finite
   * spread vouches for every bar up to it.
   */
  private passPlain(from: number, to: number, trigger: Trigger): number {
    const reached = this.passSums(from, to, trigger, false);
    return reached >= 0 ? reached : this.passSums(from, to, trigger, true);
  }

  /** {@link passPlain}'s loop; unchecked, it returns -1, having kept nothing, once a change was missing. */
  private passSums(from: number, to: number, trigger: Trigger, checked: boolean): number {
    const { close, fast, slow } = this;
    const fastPeriod = fast.period;
    const slowPeriod = slow.period;
    const fastReference = fast.reference;
    const slowReference = slow.reference;
    let fastSum = fast.runningSum;
    let slowSum = slow.runningSum;
    let last = this.lastPassed;
    let index = from;
    for (; index < to; index++) {
      const x = close[index];
      const fastChange = x - close[index - fastPeriod];
      const slowChange = x - close[index - slowPeriod];
      if (checked && !(isObserved(fastChange) && isObserved(slowChange))) break;
      fastSum += fastChange;
      slowSum += slowChange;
      // As each SeriesSma gives its average: reference + sum / period.
      const spread = fastReference + fastSum / fastPeriod - (slowReference + slowSum / slowPeriod);
      if (triggers(spread, last, trigger)) {
        if (!checked && !isObserved(spread)) return -1;
        this.commit(fastSum, slowSum, last);
        return this.hold(spread, index);
      }
      last = spread;
    }
    if (!checked && !(isObserved(fastSum) && isObserved(slowSum))) return -1;
    this.commit(fastSum, slowSum, last);
    return index < to ? this.passOne(index, trigger) : index;
  }

  /** Stores the running sums as they are after the bars taken in, and the last passed bar's spread. */
  private commit(fastSum: number, slowSum: number, lastPassed: number): void {
    this.fast.runningSum = fastSum;
    this.slow.runningSum = slowSum;
    this.lastPassed = lastPassed;
  }
}

/**
 * Fast average above slow: long. Below: flat (long-only) or short. In `cross` mode the
 * strategy trades only on a bar where the order of the averages flips from the bar before.
 */
export class MovingAverageCross implements Strategy {
  private spreads: LiveSpread | PreparedSpread;
  private previousSpread = NaN;
  /** Why it wants each side (an exit to flat included): the same text on every order, made once. */
  private readonly reasons: Readonly<Record<Direction, string>>;

  constructor(
    readonly name: string,
    private readonly params: MovingAverageCrossParams,
  ) {
    this.spreads = new LiveSpread(this.makeAverage(params.fast), this.makeAverage(params.slow));
    this.reasons = { long: `${name}: fast average above slow`, short: `${name}: fast average below slow` };
  }

  private makeAverage(period: number): Average {
    return this.params.average === "ema" ? new Ema(period) : new Sma(period);
  }

  /**
   * From here on reads its averages of `bars` ahead of the bar fed: the shared batch ones when
   * given (equal to the incremental ones bit for bit), else its incremental ones fed the series.
   */
  prepare(bars: BarSeries, averages?: AverageCache): void {
    const { fast, slow, average } = this.params;
    if (averages === undefined) {
      this.spreads =
        average === "ema"
          ? new StreamedAverages(bars.close, new Ema(fast), new Ema(slow))
          : new StreamedSmas(bars.close, new SeriesSma(bars.close, fast), new SeriesSma(bars.close, slow));
      return;
    }
    if (averages.close.length !== bars.length) throw new RangeError(`${this.name}: averages of ${averages.close.length} closes for ${bars.length} bars`);
    this.spreads = average === "ema" ? new ReplayedSpread(averages.ema(fast), averages.ema(slow)) : new ReplayedSpread(averages.sma(fast), averages.sma(slow));
  }

  onBar(bar: Readonly<Bar>, context: StrategyContext): void {
    const spread = this.spreads.next(bar.close);
    const previous = this.previousSpread;
    this.previousSpread = spread;
    if (Number.isNaN(spread)) return;
    const wanted = this.wanted(previous, spread);
    if (wanted !== undefined) this.moveTo(wanted, context);
  }

  skipIdleBars(context: StrategyContext, limit: number): number {
    const spreads = this.spreads;
    if (spreads instanceof LiveSpread || context.entryPending) return 0;
    const held = directionOf(context.position);
    const trigger = { above: this.wouldAct("long", held), below: this.wouldAct("short", held), crossing: this.params.mode === "cross" };
    const { passed, previous } = spreads.passUntil(trigger, this.previousSpread, limit);
    this.previousSpread = previous;
    return passed;
  }

  private wanted(previous: number, spread: number): Direction | undefined {
    return this.params.mode === "state" ? sideOfSpread(spread) : sideOfCrossing(previous, spread);
  }

  /** Whether `moveTo(wanted)` would submit an intent, with no entry pending. */
  private wouldAct(wanted: Direction | undefined, held: Direction | "flat"): boolean {
    if (wanted === undefined || held === wanted) return false;
    return wanted === "long" || !this.params.longOnly || held === "long";
  }

  private moveTo(wanted: Direction, context: StrategyContext): void {
    const held = directionOf(context.position);
    if (held === wanted || context.entryPending) return;
    if (wanted === "short" && this.params.longOnly) {
      if (held === "long") context.submit({ kind: "exit", reason: this.reasons.short });
      return;
    }
    context.submit({ kind: "enter", direction: wanted, reason: this.reasons[wanted] });
  }
}

function sideOfSpread(spread: number): Direction | undefined {
  return spread > 0 ? "long" : spread < 0 ? "short" : undefined;
}

function sideOfCrossing(previous: number, spread: number): Direction | undefined {
  if (Number.isNaN(previous)) return undefined;
  if (previous <= 0 && spread > 0) return "long";
  if (previous >= 0 && spread < 0) return "short";
  return undefined;
}
