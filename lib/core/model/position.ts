import { Dec, decimalOf, ZERO } from "./decimal";
import type { Fill } from "./fill";
import { sideSign } from "./order";

interface Lot {
  /** Signed: positive long, negative short. */
  quantity: Dec;
  price: Dec;
}

/** What one fill did to a position. */
export interface FillEffect {
  /** P&L realized by the part of the fill that closed lots, before commission. */
  readonly realized: Dec;
  readonly closedQuantity: Dec;
  readonly openedQuantity: Dec;
}

/**
 * A position in one instrument, long or short, kept as FIFO lots. A fill first closes the
 * oldest lots on the other side; whatever is left of it opens a new lot (crossing zero).
 */
export class Position {
  private readonly lots: Lot[] = [];
  private realizedTotal: Dec = ZERO;
  private signedQuantity: Dec = ZERO;
  /** The signed quantity as a float, refreshed per fill, for marking without allocation. */
  private quantityFloat = 0;

  constructor(readonly symbol: string) {}

  /** Signed quantity: positive long, negative short. */
  get quantity(): number {
    return this.quantityFloat;
  }

  get exactQuantity(): Dec {
    return this.signedQuantity;
  }

  get isFlat(): boolean {
    return this.signedQuantity.isZero();
  }

  get realizedPnl(): Dec {
    return this.realizedTotal;
  }

  /** Volume-weighted price of the open lots; NaN when flat. */
  get averageCost(): number {
    if (this.isFlat) return NaN;
    const cost = this.lots.reduce((sum, lot) => sum.plus(lot.quantity.mul(lot.price)), ZERO);
    return cost.div(this.signedQuantity).toNumber();
  }

  unrealizedPnl(markPrice: number): Dec {
    const mark = decimalOf(markPrice);
    return this.lots.reduce((sum, lot) => sum.plus(mark.minus(lot.price).mul(lot.quantity)), ZERO);
  }

  apply(fill: Fill): FillEffect {
    if (fill.symbol !== this.symbol) throw new Error(`fill for ${fill.symbol} applied to the ${this.symbol} position`);
    let open = decimalOf(fill.quantity).mul(sideSign(fill.side));
    const price = decimalOf(fill.price);
    let realized = ZERO;
    let closed = ZERO;
    while (!open.isZero() && this.lots.length > 0 && this.lots[0].quantity.isNegative() !== open.isNegative()) {
      const lot = this.lots[0];
      const matched = Dec.min(lot.quantity.abs(), open.abs()).mul(lot.quantity.isNegative() ? -1 : 1);
      realized = realized.plus(price.minus(lot.price).mul(matched));
      closed = closed.plus(matched.abs());
      lot.quantity = lot.quantity.minus(matched);
      open = open.plus(matched);
      if (lot.quantity.isZero()) this.lots.shift();
    }
    if (!open.isZero()) this.lots.push({ quantity: open, price });
    this.signedQuantity = this.lots.reduce((sum, lot) => sum.plus(lot.quantity), ZERO);
    this.quantityFloat = this.signedQuantity.toNumber();
    this.realizedTotal = this.realizedTotal.plus(realized);
    return { realized, closedQuantity: closed, openedQuantity: open.abs() };
  }
}
