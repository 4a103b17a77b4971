import { z } from "zod";
import type { Bar, BarSeries } from "../data/bars";
import { Ema, Sma, type AverageCache } from "../indicators";
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
 * The incremental averages fed the series' closes in order: the same numbers as the batch ones,
 * without a whole-series array per average. The bar that stops a pass is already in the averages:
 * its spread is kept for the `next` that moves past it.
 */
class StreamedSpread implements PreparedSpread {
  private index = 0;
  private pending = false;
  private pendingSpread = NaN;

  constructor(
    private readonly close: Float64Array,
    private readonly fast: Average,
    private readonly slow: Average,
  ) {}

  next(): number {
    if (this.pending) {
      this.pending = false;
      this.index++;
      return this.pendingSpread;
    }
    const index = this.index;
    if (index >= this.close.length) return NaN;
    this.index = index + 1;
    return this.fast.update(this.close[index]) - this.slow.update(this.close[index]);
  }

  passUntil(trigger: Trigger, previous: number, limit: number): { passed: number; previous: number } {
    if (this.pending || limit <= 0) return { passed: 0, previous };
    const { close, fast, slow } = this;
    const start = this.index;
    const end = Math.min(start + limit, close.length);
    let last = +previous;
    let index = start;
    for (; index < end; index++) {
      const spread = fast.update(close[index]) - slow.update(close[index]);
      if (triggers(spread, last, trigger)) {
        this.pending = true;
        this.pendingSpread = spread;
        break;
      }
      last = spread;
    }
    this.index = index;
    return { passed: index - start, previous: last };
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
      this.spreads = new StreamedSpread(bars.close, this.makeAverage(fast), this.makeAverage(slow));
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
