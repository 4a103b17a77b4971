/** Fills without an order reference were placed by hand (TWS, the mobile app). */
export const MANUAL_STRATEGY = "manual";

/**
 * The strategy behind an order, from its orderRef `"<strategy>:<decision id>"` (flatten orders
 * use `flatten:<id>`). A reference without a colon is all strategy name.
 */
export function strategyOf(orderRef: string | null | undefined): string {
  const trimmed = orderRef?.trim() ?? "";
  if (trimmed === "") return MANUAL_STRATEGY;
  const colon = trimmed.indexOf(":");
  const name = colon === -1 ? trimmed : trimmed.slice(0, colon);
  return name === "" ? MANUAL_STRATEGY : name;
}
