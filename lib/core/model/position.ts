import { Dec, decimalOf, ZERO } from "./decimal";
import type { Fill } from "./fill";
import { microsToDecimal, microsToNumber, toMicros } from "./money";
import { sideSign } from "./order";

interface Lot {
  /** Signed: positive long, negative short. */
  quantity: number;
  price: number;
}

/** What one fill did to a position. */
export interface FillEffect {
  /** P&L realized by the part of the fill that closed lots, before commission. */
  readonly realized: number;
  readonly closedQuantity: number;
  readonly openedQuantity: number;
}

/**
 * A position in one instrument, long or short, kept as FIFO lots. A fill first closes the
 * oldest lots on the other side; whatever is left of it opens a new lot (crossing zero).
 * Realized P&L is kept in integer micro-units (see money.ts).
 */
export class Position {
  private readonly lots: Lot[] = [];
  private realizedMicros = 0;
  private signedQuantity = 0;

  constructor(readonly symbol: string) {}

  /** Signed quantity: positive long, negative short. */
  get quantity(): number {
    return this.signedQuantity;
  }

  get isFlat(): boolean {
    return this.signedQuantity === 0;
  }

  get realizedPnl(): Dec {
    return microsToDecimal(this.realizedMicros);
  }

  /** Volume-weighted price of the open lots; NaN when flat. */
  get averageCost(): number {
    if (this.isFlat) return NaN;
    const cost = this.lots.reduce((sum, lot) => sum.plus(decimalOf(lot.quantity).mul(decimalOf(lot.price))), ZERO);
    return cost.div(decimalOf(this.signedQuantity)).toNumber();
  }

  unrealizedPnl(markPrice: number): Dec {
    const micros = this.lots.reduce((sum, lot) => sum + toMicros(lot.quantity * markPrice) - toMicros(lot.quantity * lot.price), 0);
    return microsToDecimal(micros);
  }

  apply(fill: Fill): FillEffect {
    if (fill.symbol !== this.symbol) throw new Error(`fill for ${fill.symbol} applied to the ${this.symbol} position`);
    let open = fill.quantity * sideSign(fill.side);
    let realizedMicros = 0;
    let closed = 0;
    while (open !== 0 && this.lots.length > 0 && this.lots[0].quantity < 0 !== open < 0) {
      const lot = this.lots[0];
      const matched = Math.min(Math.abs(lot.quantity), Math.abs(open)) * Math.sign(lot.quantity);
      realizedMicros += toMicros(matched * fill.price) - toMicros(matched * lot.price);
      closed += Math.abs(matched);
      lot.quantity = Math.abs(lot.quantity) === Math.abs(matched) ? 0 : lot.quantity - matched;
      open = Math.abs(open) === Math.abs(matched) ? 0 : open + matched;
      if (lot.quantity === 0) this.lots.shift();
    }
    if (open !== 0) this.lots.push({ quantity: open, price: fill.price });
    this.signedQuantity = this.lots.reduce((sum, lot) => sum + lot.quantity, 0);
    this.realizedMicros += realizedMicros;
    return { realized: microsToNumber(realizedMicros), closedQuantity: closed, openedQuantity: Math.abs(open) };
  }
}
