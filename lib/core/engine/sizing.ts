import { z } from "zod";
import type { CommissionModel } from "../model/commission";
import type { Instrument } from "../model/instrument";
import { roundQuantity } from "../model/rounding";

export const sizingSchema = z.discriminatedUnion("kind", [
  /** Everything the account is worth goes into the position (commission included). */
  z.object({ kind: z.literal("all-in") }),
  z.object({ kind: z.literal("fixed"), quantity: z.number().positive() }),
  z.object({ kind: z.literal("percent-of-equity"), fraction: z.number().positive().max(1) }),
]);

export type Sizing = z.infer<typeof sizingSchema>;

export interface SizingInputs {
  /** Account value with every position marked at the reference price and closing costs paid. */
  readonly equity: number;
  /** The price the order is expected to fill at. */
  readonly price: number;
  readonly commission: CommissionModel;
  readonly instrument: Instrument;
  /** Allow fractional shares; otherwise the quantity is rounded down to whole lots. */
  readonly fractional: boolean;
}

/** How many shares a new entry buys or sells short. 0 when nothing affordable. */
export function entryQuantity(sizing: Sizing, inputs: SizingInputs): number {
  const budget = sizing.kind === "all-in" ? inputs.equity : sizing.kind === "percent-of-equity" ? inputs.equity * sizing.fraction : NaN;
  const raw = sizing.kind === "fixed" ? sizing.quantity : inputs.commission.maxAffordableQuantity(budget, inputs.price);
  if (!(raw > 0)) return 0;
  return inputs.fractional ? raw : roundQuantity(inputs.instrument, raw);
}
