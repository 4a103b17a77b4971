import type { Dec } from "./decimal";
import type { Fill } from "./fill";
import { microsToDecimal, microsToNumber, toMicros } from "./money";
import { Position, type FillEffect } from "./position";
import { sideSign } from "./order";

/**
 * Cash and positions. The cash ledger is in integer micro-units (money.ts): every fill moves
 * it by exactly -(signed quantity x price) - commission, each rounded once to a micro-unit, so
 * equity reconciles with realized + unrealized P&L.
 */
export class Portfolio {
  private cashMicros: number;
  private commissionMicros = 0;
  private readonly positions = new Map<string, Position>();

  constructor(readonly initialCash: number) {
    this.cashMicros = toMicros(initialCash);
  }

  get cash(): Dec {
    return microsToDecimal(this.cashMicros);
  }

  get cashAsNumber(): number {
    return microsToNumber(this.cashMicros);
  }

  get commissions(): Dec {
    return microsToDecimal(this.commissionMicros);
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
    const commission = toMicros(fill.commission);
    this.cashMicros -= toMicros(fill.quantity * sideSign(fill.side) * fill.price) + commission;
    this.commissionMicros += commission;
    return this.position(fill.symbol).apply(fill);
  }

  /** Cash plus every position marked at `markOf(symbol)`. */
  equity(markOf: (symbol: string) => number): Dec {
    return microsToDecimal(this.cashMicros + this.sumOfValues(markOf, (value) => value));
  }

  /** Sum of |position value|. */
  grossExposure(markOf: (symbol: string) => number): Dec {
    return microsToDecimal(this.sumOfValues(markOf, Math.abs));
  }

  /** Long value minus short value. */
  netExposure(markOf: (symbol: string) => number): Dec {
    return microsToDecimal(this.sumOfValues(markOf, (value) => value));
  }

  private sumOfValues(markOf: (symbol: string) => number, measure: (micros: number) => number): number {
    return this.openPositions().reduce((sum, position) => sum + measure(toMicros(position.quantity * markOf(position.symbol))), 0);
  }
}
