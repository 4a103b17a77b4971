import Decimal from "decimal.js";
import { decimalOf, type Dec } from "./decimal";
import type { Instrument } from "./instrument";
import type { Side } from "./order";

/** Which way a value moves onto its increment. "nearest" breaks ties away from zero. */
export type RoundingDirection = "down" | "up" | "nearest";

/** The role a price plays on an order: a limit caps what you pay, a stop triggers. */
export type PriceRole = "limit" | "stop";

const DECIMAL_MODE: Record<RoundingDirection, Decimal.Rounding> = {
  down: Decimal.ROUND_FLOOR,
  up: Decimal.ROUND_CEIL,
  nearest: Decimal.ROUND_HALF_UP,
};

/** `value` as a whole number of `increment`s, rounded in `direction`. */
export function toIncrements(value: number | Dec, increment: Dec, direction: RoundingDirection): Dec {
  return decimalOf(value).div(increment).toDecimalPlaces(0, DECIMAL_MODE[direction]);
}

/** `value` moved onto a multiple of `increment` in `direction`, as an exact decimal. */
export function roundToIncrement(value: number | Dec, increment: Dec, direction: RoundingDirection): Dec {
  return toIncrements(value, increment, direction).mul(increment);
}

/**
 * The direction that never makes an order more aggressive than asked: a buy limit pays no
 * more (down), a sell limit accepts no less (up), a sell stop (a long's protection) triggers
 * no earlier (down), a buy stop (a short's protection) no earlier (up).
 */
export function conservativeDirection(side: Side, role: PriceRole): RoundingDirection {
  const buy = side === "BUY";
  if (role === "limit") return buy ? "down" : "up";
  return buy ? "up" : "down";
}

/** A price on the instrument's tick grid, as a float that prints without noise. */
export function roundPrice(instrument: Instrument, price: number, direction: RoundingDirection): number {
  return roundToIncrement(price, instrument.tickSize, direction).toNumber();
}

/** An order price for `side` and `role`, rounded the conservative way. */
export function roundOrderPrice(instrument: Instrument, side: Side, role: PriceRole, price: number): number {
  return roundPrice(instrument, price, conservativeDirection(side, role));
}

/** A quantity in whole lots, always rounded down: never trade more than was sized. */
export function roundQuantity(instrument: Instrument, quantity: number): number {
  return roundToIncrement(quantity, instrument.lotSize, "down").toNumber();
}

/** True when `price` sits exactly on the instrument's tick grid. */
export function isOnTick(instrument: Instrument, price: number): boolean {
  return decimalOf(price).mod(instrument.tickSize).isZero();
}
