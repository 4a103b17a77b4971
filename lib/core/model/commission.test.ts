import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { commissionAmount, perShareCommission, percentCommission, zeroCommission } from "./commission";

const ibkr = perShareCommission();

describe("IBKR fixed commission", () => {
  it("charges half a cent a share between the floor and the cap", () => {
    expect(ibkr.commission(1000, 50).toNumber()).toBe(5);
  });
  it("charges at least $1", () => {
    expect(ibkr.commission(100, 50).toNumber()).toBe(1);
  });
  it("never charges more than 1% of the trade value, even under the $1 floor", () => {
    expect(ibkr.commission(10, 5).toNumber()).toBe(0.5);
    expect(ibkr.commission(1000, 0.25).toNumber()).toBe(2.5);
  });
  it("finds the largest affordable quantity in every regime of the schedule", () => {
    fc.assert(
      fc.property(fc.double({ min: 10, max: 1e7, noNaN: true }), fc.double({ min: 0.05, max: 5000, noNaN: true }), (budget, price) => {
        const quantity = ibkr.maxAffordableQuantity(budget, price);
        const cost = (q: number) => q * price + ibkr.commission(q, price).toNumber();
        expect(cost(quantity)).toBeLessThanOrEqual(budget * (1 + 1e-12));
        expect(cost(quantity * 1.0001 + 1e-9)).toBeGreaterThan(budget);
      }),
    );
  });
});

describe("percent commission", () => {
  it("charges a fraction of notional and sizes all-in as cash / (price x (1 + c))", () => {
    const model = percentCommission(0.001);
    expect(model.commission(100, 25).toNumber()).toBe(2.5);
    expect(model.maxAffordableQuantity(100_000, 50)).toBeCloseTo(100_000 / (50 * 1.001), 9);
  });
  it("refuses a rate given in percent instead of a fraction", () => {
    expect(() => percentCommission(1)).toThrow(/fraction/);
  });
});

describe("zero commission", () => {
  it("is free", () => {
    expect(zeroCommission.commission(1e6, 1e3).toNumber()).toBe(0);
    expect(zeroCommission.maxAffordableQuantity(1000, 8)).toBe(125);
  });
});

describe("commission as a number", () => {
  it("is the model's decimal commission as a number, for every model", () => {
    const models = [zeroCommission, percentCommission(0.001), ibkr];
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.double({ min: 0.01, max: 5000, noNaN: true }), (quantity, price) => {
        for (const model of models) expect(commissionAmount(model, quantity, price)).toBe(model.commission(quantity, price).toNumber());
      }),
    );
  });
});
