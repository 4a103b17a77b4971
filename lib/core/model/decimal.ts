import Decimal from "decimal.js";

/**
 * The project's decimal type for money and prices. A private constructor, so another
 * module's precision or rounding settings can never leak into the ledger.
 */
export const Dec = Decimal.clone({ precision: 34, rounding: Decimal.ROUND_HALF_EVEN });
export type Dec = Decimal;

/**
 * The decimal a float was meant to be: 15 significant digits strip the binary noise of
 * float arithmetic (0.1 + 0.2 -> 0.3) without touching any price a person could type.
 */
export function decimalOf(value: number | string | Decimal): Decimal {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return new Dec(value.toPrecision(15));
  }
  return new Dec(value);
}

export const ZERO = new Dec(0);
