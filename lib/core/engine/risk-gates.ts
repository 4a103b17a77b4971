import { z } from "zod";
import type { RiskDecision, RiskGate, RiskState, TradeIntent } from "../ports";

const APPROVED: RiskDecision = { approved: true };

export const alwaysApprove: RiskGate = { check: () => APPROVED };

export const maxPositionSchema = z
  .object({
    maxQuantity: z.number().positive().optional(),
    maxNotional: z.number().positive().optional(),
  })
  .refine((limits) => limits.maxQuantity !== undefined || limits.maxNotional !== undefined, "give maxQuantity, maxNotional or both");

/**
 * Denies an entry that would leave the position larger than a quantity or notional cap.
 * Exits and protective orders only shrink risk and always pass.
 */
export function maxPositionGate(limits: z.input<typeof maxPositionSchema>): RiskGate {
  const { maxQuantity, maxNotional } = maxPositionSchema.parse(limits);
  return {
    check(intent: TradeIntent, state: RiskState): RiskDecision {
      if (intent.purpose !== "entry") return APPROVED;
      const resulting = Math.abs(state.position + (intent.side === "BUY" ? intent.quantity : -intent.quantity));
      if (maxQuantity !== undefined && resulting > maxQuantity) {
        return { approved: false, reason: `position of ${resulting} ${intent.symbol} would exceed the ${maxQuantity} share limit` };
      }
      const notional = resulting * intent.referencePrice;
      if (maxNotional !== undefined && notional > maxNotional) {
        return { approved: false, reason: `position worth ${notional.toFixed(2)} in ${intent.symbol} would exceed the ${maxNotional} limit` };
      }
      return APPROVED;
    },
  };
}
