import type { Bar } from "../../data/bars";
import type { Fill } from "../../model/fill";
import type { Tick } from "../../ports";
import type { Strategy, StrategyContext } from "../types";

/** Manages the exit of whatever position is open, whichever strategy opened it. */
export interface ExitRule {
  onBar(bar: Readonly<Bar>, context: StrategyContext): void;
  onFill?(fill: Fill, context: StrategyContext): void;
}

/** The strategy, with exit rules run after it on every bar and fill. */
export function withExits(strategy: Strategy, ...rules: ExitRule[]): Strategy {
  return {
    name: strategy.name,
    onBar(bar, context) {
      strategy.onBar(bar, context);
      for (const rule of rules) rule.onBar(bar, context);
    },
    onTick(tick: Tick, context) {
      strategy.onTick?.(tick, context);
    },
    onFill(fill, context) {
      strategy.onFill?.(fill, context);
      for (const rule of rules) rule.onFill?.(fill, context);
    },
  };
}

/** Tracks when a new position is opened, so a rule can set itself up once per trade. */
export class TradeTracker {
  private side = 0;

  /** True on the first fill that leaves a position on a new side (from flat or reversed). */
  opened(context: StrategyContext): boolean {
    const side = Math.sign(context.position);
    const isNew = side !== 0 && side !== this.side;
    this.side = side;
    return isNew;
  }
}
