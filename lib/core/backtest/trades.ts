import type { Fill } from "../model/fill";
import { sideSign } from "../model/order";

/** One round trip: from flat to flat again (or to a reversal). */
export interface Trade {
  readonly direction: "long" | "short";
  readonly entryTime: number;
  readonly exitTime: number;
  /** Volume-weighted entry and exit prices. */
  readonly entryPrice: number;
  readonly exitPrice: number;
  /** The largest size held during the trade. */
  readonly quantity: number;
  /** Realized P&L net of the commissions of every fill in the trade. */
  readonly pnl: number;
  readonly commission: number;
}

interface OpenTrade {
  direction: 1 | -1;
  entryTime: number;
  entryQuantity: number;
  entryNotional: number;
  exitQuantity: number;
  exitNotional: number;
  /** Single-fill legs report the fill's own price, free of averaging noise. */
  entryFills: number;
  exitFills: number;
  lastEntryPrice: number;
  lastExitPrice: number;
  held: number;
  peak: number;
  realized: number;
  commission: number;
}

/** Folds fills into round trips. A fill that crosses zero ends one trade and opens the next. */
export class TradeRecorder {
  private open: OpenTrade | undefined;
  readonly trades: Trade[] = [];

  /** `realizedPnl`: what the fill realized on closing lots, before commission. */
  record(fill: Fill, realizedPnl: number): void {
    const held = this.open ? this.open.direction * this.open.held : 0;
    const closing = held !== 0 && Math.sign(held) !== sideSign(fill.side);
    const closed = closing ? Math.min(fill.quantity, Math.abs(held)) : 0;
    const opened = fill.quantity - closed;
    const commissionPerShare = fill.commission / fill.quantity;
    if (closed > 0) this.close(fill, closed, realizedPnl, commissionPerShare * closed);
    if (opened > fill.quantity * 1e-12) this.add(fill, opened, commissionPerShare * opened);
  }

  private add(fill: Fill, quantity: number, commission: number): void {
    const trade = (this.open ??= {
      direction: sideSign(fill.side),
      entryTime: fill.time,
      entryQuantity: 0,
      entryNotional: 0,
      exitQuantity: 0,
      exitNotional: 0,
      entryFills: 0,
      exitFills: 0,
      lastEntryPrice: NaN,
      lastExitPrice: NaN,
      held: 0,
      peak: 0,
      realized: 0,
      commission: 0,
    });
    trade.entryQuantity += quantity;
    trade.entryNotional += quantity * fill.price;
    trade.entryFills++;
    trade.lastEntryPrice = fill.price;
    trade.held += quantity;
    trade.peak = Math.max(trade.peak, trade.held);
    trade.commission += commission;
  }

  private close(fill: Fill, quantity: number, realized: number, commission: number): void {
    const trade = this.open!;
    trade.exitQuantity += quantity;
    trade.exitNotional += quantity * fill.price;
    trade.exitFills++;
    trade.lastExitPrice = fill.price;
    trade.held -= quantity;
    trade.realized += realized;
    trade.commission += commission;
    if (trade.held > trade.peak * 1e-12) return;
    this.trades.push({
      direction: trade.direction > 0 ? "long" : "short",
      entryTime: trade.entryTime,
      exitTime: fill.time,
      entryPrice: trade.entryFills === 1 ? trade.lastEntryPrice : trade.entryNotional / trade.entryQuantity,
      exitPrice: trade.exitFills === 1 ? trade.lastExitPrice : trade.exitNotional / trade.exitQuantity,
      quantity: trade.peak,
      pnl: trade.realized - trade.commission,
      commission: trade.commission,
    });
    this.open = undefined;
  }
}
