import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decimalOf } from "./decimal";
import { defineInstrument } from "./instrument";
import { conservativeDirection, isOnTick, roundOrderPrice, roundPrice, roundQuantity } from "./rounding";

const pennyStock = defineInstrument({ symbol: "AAPL", tickSize: "0.01" });
const future = defineInstrument({ symbol: "ES", tickSize: "0.25", lotSize: "1", currency: "USD", exchange: "CME", timeZone: "America/Chicago" });
const fxLike = defineInstrument({ symbol: "EUR", tickSize: "0.00005", lotSize: "1000" });
const instruments = [pennyStock, future, fxLike];

describe("price rounding", () => {
  it("keeps float noise out of a rounded price", () => {
    expect(roundPrice(pennyStock, 0.1 + 0.2, "up")).toBe(0.3);
    expect(String(roundPrice(pennyStock, 0.1 + 0.2, "down"))).toBe("0.3");
    expect(String(roundPrice(pennyStock, 1.005 * 3, "nearest"))).toBe("3.02");
    expect(String(roundPrice(future, 4321.13, "down"))).toBe("4321");
    expect(String(roundPrice(future, 4321.13, "up"))).toBe("4321.25");
  });

  it("rounds each order the way that makes it no more aggressive than asked", () => {
    expect(conservativeDirection("BUY", "limit")).toBe("down");
    expect(conservativeDirection("SELL", "limit")).toBe("up");
    expect(conservativeDirection("SELL", "stop")).toBe("down");
    expect(conservativeDirection("BUY", "stop")).toBe("up");
    expect(roundOrderPrice(pennyStock, "BUY", "limit", 10.019)).toBe(10.01);
    expect(roundOrderPrice(pennyStock, "SELL", "limit", 10.011)).toBe(10.02);
    expect(roundOrderPrice(pennyStock, "SELL", "stop", 9.999)).toBe(9.99);
    expect(roundOrderPrice(pennyStock, "BUY", "stop", 9.991)).toBe(10);
  });

  it("never moves a price off its tick, and always in the stated direction", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...instruments),
        fc.double({ min: 0.0001, max: 100_000, noNaN: true }),
        fc.constantFrom("up" as const, "down" as const, "nearest" as const),
        (instrument, price, direction) => {
          const rounded = roundPrice(instrument, price, direction);
          expect(isOnTick(instrument, rounded)).toBe(true);
          const exact = decimalOf(rounded);
          const asked = decimalOf(price);
          if (direction === "up") expect(exact.gte(asked)).toBe(true);
          if (direction === "down") expect(exact.lte(asked)).toBe(true);
          expect(exact.minus(asked).abs().lte(instrument.tickSize)).toBe(true);
          expect(String(rounded)).toBe(exact.toString());
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("leaves a price already on the tick unchanged in every direction", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.constantFrom("up" as const, "down" as const), (ticks, direction) => {
        const price = decimalOf(ticks).mul(future.tickSize).toNumber();
        expect(roundPrice(future, price, direction)).toBe(price);
      }),
    );
  });
});

describe("quantity rounding", () => {
  it("rounds down to whole lots", () => {
    expect(roundQuantity(pennyStock, 99.999)).toBe(99);
    expect(roundQuantity(fxLike, 12_999)).toBe(12_000);
    expect(roundQuantity(pennyStock, 0.3 / 0.1)).toBe(3);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e7, noNaN: true }), (quantity) => {
        const rounded = roundQuantity(fxLike, quantity);
        // Compared with the quantity as meant: float noise such as 2.9999999999999996 counts as 3.
        expect(decimalOf(rounded).lte(decimalOf(quantity))).toBe(true);
        expect(rounded % 1000).toBe(0);
      }),
    );
  });
});

describe("instrument validation", () => {
  it("names the bad field", () => {
    expect(() => defineInstrument({ symbol: "X", tickSize: -1 })).toThrow(/tickSize/);
    expect(() => defineInstrument({ symbol: "X", currency: "dollars" })).toThrow(/currency/);
    expect(() => defineInstrument({ symbol: "" })).toThrow(/symbol/);
  });
});
