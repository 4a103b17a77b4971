import { z } from "zod";
import type { Bar } from "../../data/bars";
import type { Fill } from "../../model/fill";
import { fixedDistanceSchema, resolveDistance } from "../distance";
import type { StrategyContext } from "../types";
import { TradeTracker, type ExitRule } from "./exit-rule";

export const lockInStopSchema = z.object({
  /** Initial stop distance from the entry. */
  stop: fixedDistanceSchema,
  /** Favourable move from the entry that arms the lock. */
  trigger: fixedDistanceSchema,
  /** Where the stop goes once armed, measured from the entry in the trade's favour (0: break-even). */
  lockAt: fixedDistanceSchema.default({ points: 0 }),
});

/** A fixed stop that moves once, to break-even or better, when the trade has run far enough. */
export class LockInStop implements ExitRule {
  private readonly params: z.infer<typeof lockInStopSchema>;
  private readonly tracker = new TradeTracker();
  private locked = false;

  constructor(params: z.input<typeof lockInStopSchema>) {
    this.params = lockInStopSchema.parse(params);
  }

  onFill(_fill: Fill, context: StrategyContext): void {
    if (!this.tracker.opened(context)) return;
    this.locked = false;
    const side = Math.sign(context.position);
    const entry = context.entryPrice;
    const stopPrice = entry - side * resolveDistance(this.params.stop, entry, NaN);
    context.submit({ kind: "protect", stopPrice, reason: "initial fixed stop" });
  }

  onBar(bar: Readonly<Bar>, context: StrategyContext): void {
    const side = Math.sign(context.position);
    if (side === 0 || this.locked) return;
    const entry = context.entryPrice;
    const best = side > 0 ? bar.high : bar.low;
    if (side * (best - entry) < resolveDistance(this.params.trigger, entry, NaN)) return;
    this.locked = true;
    const lockPrice = entry + side * resolveDistance(this.params.lockAt, entry, NaN);
    context.submit({ kind: "protect", stopPrice: lockPrice, reason: "stop locked in" });
  }
}
