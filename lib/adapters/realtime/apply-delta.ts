import type { DashboardSnapshot } from "@/lib/services/account-view";
import type { DashboardDelta } from "./events";

/** The browser's copy after a delta: fields present replace, quotes merge by symbol (latest wins). */
export function applyDelta(current: DashboardSnapshot, delta: DashboardDelta): DashboardSnapshot {
  const { quotes, ...state } = delta;
  const next: DashboardSnapshot = { ...current, ...state };
  if (quotes && quotes.length > 0) {
    const bySymbol = new Map(current.quotes.map((quote) => [quote.symbol, quote]));
    for (const quote of quotes) bySymbol.set(quote.symbol, quote);
    next.quotes = [...bySymbol.values()];
  }
  return next;
}
