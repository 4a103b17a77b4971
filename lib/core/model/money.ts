import { Dec } from "./decimal";

/**
 * The ledger counts money in integer micro-units (millionths of the currency unit). Every
 * amount is rounded to a micro-unit once, when it enters the ledger; after that sums are exact
 * integer additions (exact up to 2^53 micro-units, about 9 billion in the currency), so a long
 * backtest accumulates no float error and a fill costs no decimal arithmetic.
 */
export const MICROS_PER_UNIT = 1_000_000;

/** `amount` (a float in currency units) as whole micro-units. */
export function toMicros(amount: number): number {
  return Math.round(amount * MICROS_PER_UNIT);
}

/** Micro-units as an exact decimal amount. */
export function microsToDecimal(micros: number): Dec {
  return new Dec(micros).div(MICROS_PER_UNIT);
}

/** Micro-units as the nearest float: prints without noise (600000 micros -> 0.6). */
export function microsToNumber(micros: number): number {
  return micros / MICROS_PER_UNIT;
}
