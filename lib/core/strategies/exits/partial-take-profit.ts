import { z } from "zod";
import type { Bar } from "../../data/bars";
import type { Fill } from "../../model/fill";
import { Atr } from "../../indicators";
import { distanceSchema, resolveDistance } from "../distance";
import type { StrategyContext } from "../types";
import { TradeTracker, type ExitRule } from "./exit-rule";

export const partialTakeProfitSchema = z
  .object({
    /** One R: the risk unit the targets are measured in. */
    risk: distanceSchema.default({ atr: 2 }),
    atrPeriod: z.number().int().positive().default(14),
    steps: z
      .array(z.object({ atR: z.number().positive(), fraction: z.number().positive().max(1) }))
      .min(1)
      .default([
        { atR: 1, fraction: 1 / 3 },
        { atR: 2, fraction: 1 / 3 },
      ]),
  })
  .refine((params) => params.steps.reduce((sum, step) => sum + step.fraction, 0) <= 1 + 1e-9, {
    message: "the step fractions add up to more than the whole position",
    path: ["steps"],
  });

/**
 * Scales out in steps: when a position opens, rests one take-profit limit per step at
 * entry +/- atR x R for that fraction of the position. What is left is for another rule
 * (a trailing stop) to take out.
 */
export class PartialTakeProfit implements ExitRule {
  private readonly params: z.infer<typeof partialTakeProfitSchema>;
  private readonly atr: Atr;
  private readonly tracker = new TradeTracker();

  constructor(params: z.input<typeof partialTakeProfitSchema> = {}) {
    this.params = partialTakeProfitSchema.parse(params);
    this.atr = new Atr(this.params.atrPeriod);
  }

  onBar(bar: Readonly<Bar>): void {
    this.atr.update(bar);
  }

  onFill(fill: Fill, context: StrategyContext): void {
    if (!this.tracker.opened(context)) return;
    const oneR = resolveDistance(this.params.risk, fill.price, this.atr.value);
    if (!(oneR > 0)) return;
    const side = Math.sign(context.position);
    const size = Math.abs(context.position);
    for (const step of this.params.steps) {
      context.submit({
        kind: "take-profit",
        quantity: size * step.fraction,
        limitPrice: context.entryPrice + side * step.atR * oneR,
        reason: `partial take-profit at +${step.atR}R`,
      });
    }
  }
}
