/** IBKR Pro "fixed" commissions for US stocks, computed per order as IBKR does. */
import Decimal from "decimal.js";

const PER_SHARE = new Decimal("0.005");
const MINIMUM_PER_ORDER = new Decimal("1");
const MAXIMUM_RATE_OF_VALUE = new Decimal("0.01");

/**
 * Commission for an order's cumulative fills: $0.005 a share, at least $1, at most 1% of
 * the trade value. Each execution is charged the increase of this total, so partial fills
 * of one order together pay exactly the per-order amount.
 */
export function fixedCommission(cumulativeShares: number, cumulativeValue: Decimal): Decimal {
  const perShare = PER_SHARE.times(cumulativeShares);
  const cap = cumulativeValue.times(MAXIMUM_RATE_OF_VALUE);
  return Decimal.min(Decimal.max(perShare, MINIMUM_PER_ORDER), cap);
}
