import type { HeldPosition } from "./check";

export interface Exposure {
  readonly gross: number;
  readonly net: number;
  /** The largest single |position value| and its symbol. */
  readonly largest: { readonly symbol: string; readonly value: number } | null;
}

/** Gross, net and the most concentrated position of a set of holdings. */
export function exposureOf(positions: readonly HeldPosition[]): Exposure {
  let gross = 0;
  let net = 0;
  let largest: Exposure["largest"] = null;
  for (const position of positions) {
    const value = position.quantity * position.price;
    gross += Math.abs(value);
    net += value;
    if (!largest || Math.abs(value) > largest.value) largest = { symbol: position.symbol, value: Math.abs(value) };
  }
  return { gross, net: Math.abs(net), largest };
}
