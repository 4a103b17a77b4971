import type { Bar, BarSeries } from "../data/bars";
import type { AverageCache } from "../indicators";
import type { Fill } from "../model/fill";
import type { Tick } from "../ports";

export type Direction = "long" | "short";

/** What a strategy may ask for. The engine sizes, rounds to tick, risk-checks and routes it. */
export type StrategyIntent =
  | {
      readonly kind: "enter";
      readonly direction: Direction;
      readonly reason: string;
      /** With both prices the entry goes out as a bracket (parent + take-profit + stop). */
      readonly takeProfit?: number;
      readonly stopLoss?: number;
    }
  /** Market exit of `quantity` (default: the whole position). */
  | { readonly kind: "exit"; readonly reason: string; readonly quantity?: number }
  /** Place or tighten the one protective stop covering the whole position. */
  | { readonly kind: "protect"; readonly stopPrice: number; readonly reason: string }
  /** A resting limit order that takes `quantity` off the position at `limitPrice`. */
  | { readonly kind: "take-profit"; readonly quantity: number; readonly limitPrice: number; readonly reason: string };

/** What a strategy sees of the world and how it speaks. No clock but this, no I/O. */
export interface StrategyContext {
  readonly symbol: string;
  /** Signed quantity held: positive long, negative short, 0 flat. */
  readonly position: number;
  /** Average price of the open position; NaN when flat. */
  readonly entryPrice: number;
  /** Price of the working protective stop; NaN when there is none. */
  readonly stopPrice: number;
  /** True while an entry order is working and not yet filled. */
  readonly entryPending: boolean;
  /** Epoch ms from the engine's clock (the bar's time in a backtest). */
  now(): number;
  submit(intent: StrategyIntent): void;
}

/**
 * A trading idea. The same object runs in backtest, paper and live: it reacts to data and
 * fills and answers with intents through the context, and never reads a clock or does I/O.
 */
export interface Strategy {
  readonly name: string;
  onBar(bar: Readonly<Bar>, context: StrategyContext): void;
  /**
   * Backtests only, before the first bar: the series that will then be fed bar by bar, in order.
   * A strategy may read its indicators of the series ahead of the bar it is fed: batch ones shared
   * by several runs over the same bars (`averages`, in a sweep), or its incremental ones fed the
   * series itself, only where both give the same numbers bit for bit, so its decisions are those
   * it makes live.
   */
  prepare?(bars: BarSeries, averages?: AverageCache): void;
  /**
   * Backtests only, after `prepare`, while no order is working: passes over the coming bars on
   * which `onBar` would certainly submit nothing with the position as it is, updating its state
   * exactly as `onBar` would, and returns how many it passed (at most `limit`). Each bar's
   * decision still uses only that bar and earlier ones; the first bar that would act is left for
   * `onBar`. The runner marks the passed bars to market itself.
   */
  skipIdleBars?(context: StrategyContext, limit: number): number;
  onTick?(tick: Tick, context: StrategyContext): void;
  onFill?(fill: Fill, context: StrategyContext): void;
}

export function directionOf(position: number): Direction | "flat" {
  return position > 0 ? "long" : position < 0 ? "short" : "flat";
}
