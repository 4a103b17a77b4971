/**
 * One account's cash and positions. Average cost includes commissions, as IBKR reports it;
 * realized P&L is net of the commissions of both the opening and the closing trades.
 */
import Decimal from "decimal.js";
import type { Instrument } from "./instruments";

export interface Holding {
  instrument: Instrument;
  /** Signed share count: negative when short. */
  quantity: number;
  /** Average cost per share including commissions; positive for longs and shorts alike. */
  averageCost: Decimal;
  realizedPnl: Decimal;
}

export interface FillOutcome {
  /** undefined when the fill only opened or increased the position. */
  realizedPnl: Decimal | undefined;
}

/** Conversion of each currency into the base currency (USD); fixed for the session. */
const FX_TO_BASE: Readonly<Record<string, number>> = { USD: 1, INR: 0.012 };

export function toBase(amount: Decimal, currency: string): Decimal {
  return amount.times(FX_TO_BASE[currency] ?? 1);
}

export class Account {
  private readonly holdings = new Map<number, Holding>();
  private readonly cash = new Map<string, Decimal>();
  private realizedTotal = new Decimal(0);

  constructor(readonly accountId: string, readonly baseCurrency = "USD") {}

  deposit(currency: string, amount: Decimal.Value): void {
    this.cash.set(currency, this.cashIn(currency).plus(amount));
  }

  /** Seeds a position as if it had been bought earlier (demo state). */
  seedHolding(instrument: Instrument, quantity: number, averageCost: Decimal.Value): void {
    this.holdings.set(instrument.conId, { instrument, quantity, averageCost: new Decimal(averageCost), realizedPnl: new Decimal(0) });
  }

  cashIn(currency: string): Decimal {
    return this.cash.get(currency) ?? new Decimal(0);
  }

  cashBalances(): ReadonlyMap<string, Decimal> {
    return this.cash;
  }

  holding(conId: number): Holding | undefined {
    return this.holdings.get(conId);
  }

  /** Every instrument ever held this session, flat ones included (IBKR keeps reporting them with 0). */
  allHoldings(): Holding[] {
    return [...this.holdings.values()];
  }

  realizedPnl(): Decimal {
    return this.realizedTotal;
  }

  applyFill(instrument: Instrument, signedShares: number, price: number, commission: Decimal): FillOutcome {
    const holding = this.holdings.get(instrument.conId) ?? {
      instrument,
      quantity: 0,
      averageCost: new Decimal(0),
      realizedPnl: new Decimal(0),
    };
    const priceDecimal = new Decimal(price);
    const grossValue = priceDecimal.times(Math.abs(signedShares));
    const cashDelta = signedShares > 0 ? grossValue.plus(commission).negated() : grossValue.minus(commission);
    this.cash.set(instrument.currency, this.cashIn(instrument.currency).plus(cashDelta));

    const outcome = this.updateHolding(holding, signedShares, priceDecimal, commission);
    this.holdings.set(instrument.conId, holding);
    if (outcome.realizedPnl) {
      holding.realizedPnl = holding.realizedPnl.plus(outcome.realizedPnl);
      this.realizedTotal = this.realizedTotal.plus(toBase(outcome.realizedPnl, instrument.currency));
    }
    return outcome;
  }

  private updateHolding(holding: Holding, signedShares: number, price: Decimal, commission: Decimal): FillOutcome {
    const before = holding.quantity;
    const opensOrAdds = before === 0 || Math.sign(before) === Math.sign(signedShares);
    if (opensOrAdds) {
      holding.averageCost = blendCost(holding.averageCost, Math.abs(before), price, Math.abs(signedShares), commission, signedShares > 0);
      holding.quantity = before + signedShares;
      return { realizedPnl: undefined };
    }
    const closingShares = Math.min(Math.abs(signedShares), Math.abs(before));
    const closingCommission = commission.times(closingShares).dividedBy(Math.abs(signedShares));
    const perShare = before > 0 ? price.minus(holding.averageCost) : holding.averageCost.minus(price);
    const realizedPnl = perShare.times(closingShares).minus(closingCommission);
    holding.quantity = before + signedShares;
    const openingShares = Math.abs(signedShares) - closingShares;
    if (openingShares > 0) {
      holding.averageCost = blendCost(new Decimal(0), 0, price, openingShares, commission.minus(closingCommission), signedShares > 0);
    } else if (holding.quantity === 0) {
      holding.averageCost = new Decimal(0);
    }
    return { realizedPnl };
  }
}

/** Average cost after adding shares: commissions raise a long's cost and lower a short's proceeds. */
function blendCost(cost: Decimal, shares: number, price: Decimal, addedShares: number, commission: Decimal, isBuy: boolean): Decimal {
  const addedCost = isBuy ? price.times(addedShares).plus(commission) : price.times(addedShares).minus(commission);
  return cost.times(shares).plus(addedCost).dividedBy(shares + addedShares);
}
