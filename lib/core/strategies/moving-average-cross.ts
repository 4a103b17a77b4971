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

/** The spread of batch averages of the series being replayed, one bar per call, in order. */
class ReplayedSpread implements SpreadSource {
  private index = 0;

  constructor(
    private readonly fast: Float64Array,
    private readonly slow: Float64Array,
  ) {}

  next(): number {
    const spread = this.peek();
    this.index++;
    return spread;
  }

  peek(): number {
    const index = this.index;
    return index < this.fast.length ? this.fast[index] - this.slow[index] : NaN;
  }
}

/**
 * Fast average above slow: long. Below: flat (long-only) or short. In `cross` mode the
 * strategy trades only on a bar where the order of the averages flips from the bar before.
 */
export class MovingAverageCross implements Strategy {
  private spreads: SpreadSource;
  private previousSpread = NaN;

  constructor(
    readonly name: string,
    private readonly params: MovingAverageCrossParams,
  ) {
    const make = (period: number): Average => (params.average === "ema" ? new Ema(period) : new Sma(period));
    this.spreads = new LiveSpread(make(params.fast), make(params.slow));
  }

  /** Reads the batch averages of `bars` (equal to the incremental ones bit for bit) from here on. */
  prepare(bars: BarSeries, averages: AverageCache): void {
    const { fast, slow, average } = this.params;
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
    if (!(spreads instanceof ReplayedSpread) || context.entryPending) return 0;
    const held = directionOf(context.position);
    let skipped = 0;
    for (; skipped < limit; skipped++) {
      const spread = spreads.peek();
      if (!Number.isNaN(spread) && this.wouldAct(this.wanted(this.previousSpread, spread), held)) break;
      spreads.next();
      this.previousSpread = spread;
    }
    return skipped;
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
      if (held === "long") context.submit({ kind: "exit", reason: `${this.name}: fast average below slow` });
      return;
    }
    context.submit({ kind: "enter", direction: wanted, reason: `${this.name}: fast average ${wanted === "long" ? "above" : "below"} slow` });
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
