import { z } from "zod";
import { Dec, decimalOf, ZERO } from "./decimal";

/** What a broker charges for one execution. */
export interface CommissionModel {
  readonly name: string;
  commission(quantity: number, price: number): Dec;
  /**
   * The largest quantity whose cost, commission included, fits in `budget` at `price`
   * (fractional: callers round it to their lot).
   */
  maxAffordableQuantity(budget: number, price: number): number;
}

export const zeroCommission: CommissionModel = {
  name: "zero",
  commission: () => ZERO,
  maxAffordableQuantity: (budget, price) => Math.max(0, budget / price),
};

/** `model`'s commission as a number in the currency, without decimal arithmetic when it is zero. */
export function commissionAmount(model: CommissionModel, quantity: number, price: number): number {
  return model === zeroCommission ? 0 : model.commission(quantity, price).toNumber();
}

/** A fraction of the trade's notional, e.g. 0.001 for 10 bp. */
export function percentCommission(rate: number): CommissionModel {
  z.number().min(0, "commission rate must be >= 0").max(0.1, "commission rate is a fraction: 0.001 is 10 bp").parse(rate);
  const decimalRate = decimalOf(rate);
  return {
    name: `percent(${rate})`,
    commission: (quantity, price) => decimalOf(quantity).mul(decimalOf(price)).mul(decimalRate).abs(),
    maxAffordableQuantity: (budget, price) => Math.max(0, budget / (price * (1 + rate))),
  };
}

export interface PerShareSchedule {
  readonly perShare: number;
  readonly minimum: number;
  /** Cap as a fraction of the trade value. */
  readonly maxFractionOfValue: number;
}

/** IBKR Pro "Fixed" for US stocks: $0.005 a share, at least $1, at most 1% of trade value. */
export const IBKR_FIXED_US: PerShareSchedule = { perShare: 0.005, minimum: 1, maxFractionOfValue: 0.01 };

/**
 * Per-share pricing with a floor and a cap. The cap wins over the floor: IBKR charges
 * 1% of a $50 trade (50 cents), not the $1 minimum.
 */
export function perShareCommission(schedule: PerShareSchedule = IBKR_FIXED_US): CommissionModel {
  const perShare = decimalOf(schedule.perShare);
  const minimum = decimalOf(schedule.minimum);
  const maxFraction = decimalOf(schedule.maxFractionOfValue);
  const commission = (quantity: number, price: number): Dec => {
    const shares = decimalOf(quantity).abs();
    const cap = shares.mul(decimalOf(price)).mul(maxFraction);
    return Dec.min(Dec.max(shares.mul(perShare), minimum), cap);
  };
  // A relative hair of tolerance: the candidates are exact solutions computed in floats.
  const fits = (quantity: number, budget: number, price: number) =>
    quantity >= 0 && decimalOf(quantity).mul(decimalOf(price)).plus(commission(quantity, price)).lte(decimalOf(budget * (1 + 1e-12)));
  return {
    name: "ibkr-fixed",
    commission,
    maxAffordableQuantity(budget, price) {
      // Each regime of the schedule (floor, per share, cap) gives one candidate; the largest that fits wins.
      const candidates = [
        (budget - schedule.minimum) / price,
        budget / (price + schedule.perShare),
        budget / (price * (1 + schedule.maxFractionOfValue)),
      ];
      return Math.max(0, ...candidates.filter((quantity) => fits(quantity, budget, price)));
    },
  };
}
