/** The simulator's built-in universe: a few liquid US stocks and one NSE stock. */

export interface Instrument {
  conId: number;
  symbol: string;
  secType: "STK";
  exchange: "SMART";
  primaryExchange: string;
  currency: string;
  localSymbol: string;
  tradingClass: string;
  minTick: number;
  longName: string;
  industry: string;
  category: string;
  isin: string;
  timeZoneId: string;
  /** Regular session in exchange-local time, minutes after midnight. */
  regularHours: { open: number; close: number };
  /** Extended session (pre-market open to after-hours close), minutes after midnight. */
  extendedHours: { open: number; close: number };
  /** Reference price the random walk starts from. */
  startPrice: number;
  /** Shares quoted at each side of the book, on average. */
  typicalQuoteSize: number;
}

const US_REGULAR = { open: 9 * 60 + 30, close: 16 * 60 };
const US_EXTENDED = { open: 4 * 60, close: 20 * 60 };

function usStock(
  conId: number,
  symbol: string,
  primaryExchange: string,
  tradingClass: string,
  longName: string,
  industry: string,
  category: string,
  isin: string,
  startPrice: number,
): Instrument {
  return {
    conId,
    symbol,
    secType: "STK",
    exchange: "SMART",
    primaryExchange,
    currency: "USD",
    localSymbol: symbol,
    tradingClass,
    minTick: 0.01,
    longName,
    industry,
    category,
    isin,
    timeZoneId: "US/Eastern",
    regularHours: US_REGULAR,
    extendedHours: US_EXTENDED,
    startPrice,
    typicalQuoteSize: 300,
  };
}

export const UNIVERSE: readonly Instrument[] = [
  usStock(265598, "AAPL", "NASDAQ", "NMS", "APPLE INC", "Technology", "Computers", "US0378331005", 190),
  usStock(272093, "MSFT", "NASDAQ", "NMS", "MICROSOFT CORP", "Technology", "Software", "US5949181045", 410),
  usStock(76792991, "TSLA", "NASDAQ", "NMS", "TESLA INC", "Consumer, Cyclical", "Auto Manufacturers", "US88160R1014", 240),
  usStock(756733, "SPY", "ARCA", "SPY", "SPDR S&P 500 ETF TRUST", "Funds", "Equity Fund", "US78462F1030", 520),
  usStock(4815747, "NVDA", "NASDAQ", "NMS", "NVIDIA CORP", "Technology", "Semiconductors", "US67066G1040", 120),
  usStock(3691937, "AMZN", "NASDAQ", "NMS", "AMAZON.COM INC", "Communications", "Internet", "US0231351067", 180),
  usStock(208813719, "GOOGL", "NASDAQ", "NMS", "ALPHABET INC-CL A", "Communications", "Internet", "US02079K3059", 170),
  usStock(107113386, "META", "NASDAQ", "NMS", "META PLATFORMS INC-CLASS A", "Communications", "Internet", "US30303M1027", 500),
  usStock(8719, "JPM", "NYSE", "JPM", "JPMORGAN CHASE & CO", "Financial", "Banks", "US46625H1005", 200),
  usStock(320227571, "QQQ", "NASDAQ", "NMS", "INVESCO QQQ TRUST SERIES 1", "Funds", "Equity Fund", "US46090E1038", 440),
  {
    conId: 44652000,
    symbol: "RELIANCE",
    secType: "STK",
    exchange: "SMART",
    primaryExchange: "NSE",
    currency: "INR",
    localSymbol: "RELIANCE",
    tradingClass: "RELIANCE",
    minTick: 0.05,
    longName: "RELIANCE INDUSTRIES LTD",
    industry: "Energy",
    category: "Oil&Gas",
    isin: "INE002A01018",
    timeZoneId: "Asia/Kolkata",
    regularHours: { open: 9 * 60 + 15, close: 15 * 60 + 30 },
    extendedHours: { open: 9 * 60 + 15, close: 15 * 60 + 30 },
    startPrice: 2900,
    typicalQuoteSize: 500,
  },
];

/**
 * `count` made-up US stocks (SYN001, SYN002, ...) for tests and benchmarks that need a wider
 * book than the real universe; each has its own conId, ISIN and starting price.
 */
export function syntheticStocks(count: number): Instrument[] {
  return Array.from({ length: count }, (_, index) => {
    const number = String(index + 1).padStart(3, "0");
    const symbol = `SYN${number}`;
    const isin = `US9${String(index + 1).padStart(8, "0")}0`;
    return usStock(900_000 + index, symbol, "NYSE", symbol, `SYNTHETIC ${number}`, "Synthetic", "Synthetic", isin, 20 + (index % 80) * 2.5);
  });
}

export class InstrumentCatalog {
  private readonly bySymbol = new Map<string, Instrument>();
  private readonly byConId = new Map<number, Instrument>();
  private readonly byIsin = new Map<string, Instrument>();

  constructor(readonly instruments: readonly Instrument[] = UNIVERSE) {
    for (const instrument of instruments) {
      this.bySymbol.set(instrument.symbol, instrument);
      this.byConId.set(instrument.conId, instrument);
      this.byIsin.set(instrument.isin, instrument);
    }
  }

  /** Resolves a request's contract the way TWS does: conId first, then ISIN, then symbol. */
  resolve(query: { conId?: number; symbol?: string; secIdType?: string; secId?: string; currency?: string }): Instrument | undefined {
    if (query.conId) return this.byConId.get(query.conId);
    if (query.secIdType?.toUpperCase() === "ISIN" && query.secId) return this.byIsin.get(query.secId.toUpperCase());
    const instrument = query.symbol ? this.bySymbol.get(query.symbol.toUpperCase()) : undefined;
    if (instrument && query.currency && query.currency.toUpperCase() !== instrument.currency) return undefined;
    return instrument;
  }

  bySymbolOrThrow(symbol: string): Instrument {
    const instrument = this.bySymbol.get(symbol);
    if (!instrument) throw new Error(`unknown symbol ${symbol}`);
    return instrument;
  }
}
