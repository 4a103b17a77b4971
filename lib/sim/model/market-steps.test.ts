import { describe, expect, it } from "vitest";
import { Exchange, type ExchangeListener } from "./exchange";
import { InstrumentCatalog, syntheticStocks } from "./instruments";

function exchangeWithMoves(symbols: number) {
  let now = Date.UTC(2026, 10, 18, 15, 0);
  const moved: string[] = [];
  const listener: ExchangeListener = {
    orderChanged: () => undefined,
    executed: () => undefined,
    orderError: () => undefined,
    portfolioChanged: () => undefined,
    quoteChanged: (instrument) => moved.push(instrument.symbol),
  };
  const exchange = new Exchange({
    accountId: "DU1234567",
    seed: 3,
    clock: { now: () => now, speed: 1 },
    startingState: "empty",
    catalog: new InstrumentCatalog(syntheticStocks(symbols)),
  });
  exchange.addListener(listener);
  return { exchange, moved, advance: (ms: number) => (now += ms) };
}

describe("market steps spread over the interval", () => {
  it("moves every instrument at once by default", () => {
    const { exchange, moved, advance } = exchangeWithMoves(6);
    advance(100);
    exchange.stepMarket();
    expect(moved).toEqual(["SYN001", "SYN002", "SYN003", "SYN004", "SYN005", "SYN006"]);
  });

  it("moves one slice per step, and each instrument once per round of slices", () => {
    const { exchange, moved, advance } = exchangeWithMoves(6);
    const slices = 3;
    const rounds: string[][] = [];
    for (let slice = 0; slice < slices; slice++) {
      advance(100 / slices);
      moved.length = 0;
      exchange.stepMarket(slice, slices);
      rounds.push([...moved]);
    }
    expect(rounds).toEqual([
      ["SYN001", "SYN004"],
      ["SYN002", "SYN005"],
      ["SYN003", "SYN006"],
    ]);
  });
});
