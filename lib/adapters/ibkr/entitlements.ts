/** Which market data a symbol gets: real-time, delayed, frozen (last known), or nothing. */
export type Entitlement = "live" | "delayed" | "frozen" | "none";

/** reqMarketDataType / marketDataType values: 1 live, 2 frozen, 3 delayed, 4 delayed-frozen. */
const BY_MARKET_DATA_TYPE: Record<number, Entitlement> = { 1: "live", 2: "frozen", 3: "delayed", 4: "frozen" };

/** Market-data error codes and what they say about the symbol's data. */
const BY_ERROR_CODE: Record<number, Entitlement> = {
  354: "none",
  10090: "delayed",
  10167: "delayed",
  10197: "none",
  10168: "none",
};

export function entitlementFromMarketDataType(type: number): Entitlement | null {
  return BY_MARKET_DATA_TYPE[type] ?? null;
}

export function entitlementFromError(code: number): Entitlement | null {
  return BY_ERROR_CODE[code] ?? null;
}

/** Per-symbol entitlement as last reported; a symbol with ticks and no complaint is live. */
export class Entitlements {
  private readonly bySymbol = new Map<string, { entitlement: Entitlement; code: number | null }>();

  onTick(symbol: string): void {
    if (!this.bySymbol.has(symbol)) this.bySymbol.set(symbol, { entitlement: "live", code: null });
  }

  onMarketDataType(symbol: string, type: number): void {
    const entitlement = entitlementFromMarketDataType(type);
    if (entitlement) this.bySymbol.set(symbol, { entitlement, code: null });
  }

  onError(symbol: string, code: number): void {
    const entitlement = entitlementFromError(code);
    if (entitlement) this.bySymbol.set(symbol, { entitlement, code });
  }

  of(symbol: string): Entitlement {
    return this.bySymbol.get(symbol)?.entitlement ?? "none";
  }

  snapshot(): Record<string, { entitlement: Entitlement; code: number | null }> {
    return Object.fromEntries(this.bySymbol);
  }
}
