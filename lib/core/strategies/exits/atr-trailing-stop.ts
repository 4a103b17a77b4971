import { z } from "zod";
import type { Bar } from "../../data/bars";
import { Atr } from "../../indicators";
import type { StrategyContext } from "../types";
import type { ExitRule } from "./exit-rule";

export const atrTrailingStopSchema = z.object({
  multiple: z.number().positive().default(3),
  period: z.number().int().positive().default(14),
});

/**
 * A stop `multiple` x ATR behind the close. It only ever moves in the trade's favour:
 * up for a long, down for a short.
 */
export class AtrTrailingStop implements ExitRule {
  private readonly atr: Atr;
  private readonly multiple: number;
  private stop = NaN;
  private side = 0;

  constructor(params: z.input<typeof atrTrailingStopSchema> = {}) {
    const parsed = atrTrailingStopSchema.parse(params);
    this.atr = new Atr(parsed.period);
    this.multiple = parsed.multiple;
  }

  get stopPrice(): number {
    return this.stop;
  }

  onBar(bar: Readonly<Bar>, context: StrategyContext): void {
    const atr = this.atr.update(bar);
    const side = Math.sign(context.position);
    if (side !== this.side) {
      this.side = side;
      this.stop = NaN;
    }
    if (side === 0 || Number.isNaN(atr)) return;
    const candidate = bar.close - side * this.multiple * atr;
    const improves = Number.isNaN(this.stop) || (side > 0 ? candidate > this.stop : candidate < this.stop);
    if (!improves) return;
    this.stop = candidate;
    context.submit({ kind: "protect", stopPrice: candidate, reason: `ATR trailing stop (${this.multiple} x ATR)` });
  }
}
