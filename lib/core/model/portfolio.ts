import { Dec, decimalOf, ZERO } from "./decimal";
import type { Fill } from "./fill";
import { Position, type FillEffect } from "./position";
import { sideSign } from "./order";

/**
 * Cash and positions. The cash ledger is decimal: every fill moves it by exactly
 * -signed quantity x price - commission, so equity can be reconciled to the cent.
 */
export class Portfolio {
  private cashBalance: Dec;
  private commissionTotal: Dec = ZERO;
  private readonly positions = new Map<string, Position>();
  /** Cash as a float, refreshed on every fill, for per-bar marking without allocation. */
  private cashFloat: number;

  constructor(readonly initialCash: number) {
    this.cashBalance = decimalOf(initialCash);
    this.cashFloat = initialCash;
  }

  get cash(): Dec {
    return this.cashBalance;
  }

  get cashAsNumber(): number {
    return this.cashFloat;
  }

  get commissions(): Dec {
    return this.commissionTotal;
  }

  position(symbol: string): Position {
    let position = this.positions.get(symbol);
    if (!position) {
      position = new Position(symbol);
      this.positions.set(symbol, position);
    }
    return position;
  }

  openPositions(): Position[] {
    return [...this.positions.values()].filter((position) => !position.isFlat);
  }

  applyFill(fill: Fill): FillEffect {
    const notional = decimalOf(fill.quantity).mul(decimalOf(fill.price)).mul(sideSign(fill.side));
    const commission = decimalOf(fill.commission);
    this.cashBalance = this.cashBalance.minus(notional).minus(commission);
    this.commissionTotal = this.commissionTotal.plus(commission);
    this.cashFloat = this.cashBalance.toNumber();
    return this.position(fill.symbol).apply(fill);
  }

  /** Cash plus every position marked at `markOf(symbol)`. */
  equity(markOf: (symbol: string) => number): Dec {
    return this.openPositions().reduce(
      (sum, position) => sum.plus(position.exactQuantity.mul(decimalOf(markOf(position.symbol)))),
      this.cashBalance,
    );
  }

  /** Sum of |position value|. */
  grossExposure(markOf: (symbol: string) => number): Dec {
    return this.openPositions().reduce(
      (sum, position) => sum.plus(position.exactQuantity.mul(decimalOf(markOf(position.symbol))).abs()),
      ZERO,
    );
  }

  /** Long value minus short value. */
  netExposure(markOf: (symbol: string) => number): Dec {
    return this.openPositions().reduce(
      (sum, position) => sum.plus(position.exactQuantity.mul(decimalOf(markOf(position.symbol)))),
      ZERO,
    );
  }
}
