import { z } from "zod";
import { IBKR_FIXED_US, perShareCommission, percentCommission, zeroCommission, type CommissionModel } from "../model/commission";
import { featurePeriodsSchema } from "./features";

export const rlCommissionSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("zero") }),
  z.object({ kind: z.literal("percent"), rate: z.number().min(0).max(0.1, "rate is a fraction: 0.001 is 10 bp") }),
  z.object({ kind: z.literal("ibkr-fixed") }),
]);

export type RlCommission = z.infer<typeof rlCommissionSchema>;

export const envConfigSchema = z.object({
  initialCapital: z.number().positive().default(100_000),
  commission: rlCommissionSchema.default({ kind: "ibkr-fixed" }),
  slippageBps: z.number().min(0).default(2),
  fill: z.enum(["close", "next-open"]).default("close"),
  /** Bars per episode (the agent decides once per bar). */
  episodeLength: z.number().int().min(2, "episodeLength must be at least 2 bars").default(64),
  /** Start episodes at a random bar (seeded); otherwise at the first bar past warm-up. */
  randomStart: z.boolean().default(true),
  /** Standard deviation of the Gaussian noise added to the standardised market features. */
  observationNoise: z.number().min(0).default(0),
  /** Reward units: equity change in percent of the starting capital by default. */
  rewardScale: z.number().positive().default(100),
  /** Subtracted from the reward for every executed trade (over-trading). */
  tradePenalty: z.number().min(0).default(0),
  /** Subtracted from the reward for every bar that ends with an open position under water. */
  losingHoldPenalty: z.number().min(0).default(0),
  features: featurePeriodsSchema.default(featurePeriodsSchema.parse({})),
});

export type EnvConfig = z.infer<typeof envConfigSchema>;
export type EnvConfigInput = z.input<typeof envConfigSchema>;

export function commissionModelOf(commission: RlCommission): CommissionModel {
  switch (commission.kind) {
    case "zero":
      return zeroCommission;
    case "percent":
      return percentCommission(commission.rate);
    case "ibkr-fixed":
      return perShareCommission(IBKR_FIXED_US);
  }
}

/** Float twins of the commission models for the vectorised environment (no decimals in the hot loop). */
export interface FastCosts {
  commission(quantity: number, price: number): number;
  maxAffordableQuantity(budget: number, price: number): number;
}

export function fastCostsOf(commission: RlCommission): FastCosts {
  switch (commission.kind) {
    case "zero":
      return { commission: () => 0, maxAffordableQuantity: (budget, price) => Math.max(0, budget / price) };
    case "percent": {
      const rate = commission.rate;
      return { commission: (q, p) => Math.abs(q * p * rate), maxAffordableQuantity: (budget, price) => Math.max(0, budget / (price * (1 + rate))) };
    }
    case "ibkr-fixed": {
      const { perShare, minimum, maxFractionOfValue } = IBKR_FIXED_US;
      const fee = (q: number, p: number) => Math.min(Math.max(q * perShare, minimum), q * p * maxFractionOfValue);
      const fits = (q: number, budget: number, p: number) => q >= 0 && q * p + fee(q, p) <= budget * (1 + 1e-12);
      return {
        commission: fee,
        maxAffordableQuantity(budget, price) {
          let best = 0;
          for (const q of [(budget - minimum) / price, budget / (price + perShare), budget / (price * (1 + maxFractionOfValue))]) {
            if (fits(q, budget, price) && q > best) best = q;
          }
          return best;
        },
      };
    }
  }
}
