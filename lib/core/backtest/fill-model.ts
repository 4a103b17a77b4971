import type { Bar } from "../data/bars";
import type { OrderRequest, Side } from "../model/order";

/** When a market order decided on a bar is filled: at that bar's close, or the next bar's open. */
export type FillTiming = "close" | "next-open";

/** Price at which a resting order trades within `bar`; NaN when the bar never reaches it. */
export function touchPrice(order: OrderRequest, stopLevel: number, bar: Readonly<Bar>): number {
  switch (order.type) {
    case "MKT":
      return bar.open;
    case "LMT":
      return limitTouch(order.side, order.limitPrice, bar);
    case "STP":
      return stopTouch(order.side, order.stopPrice, bar);
    case "TRAIL":
      return stopTouch(order.side, stopLevel, bar);
    case "STP LMT":
      return stopLimitTouch(order.side, order.stopPrice, order.limitPrice, bar);
  }
}

/** A stop gapped through at the open fills at the open, not at the stop. */
export function stopTouch(side: Side, stop: number, bar: Readonly<Bar>): number {
  if (side === "BUY") return bar.open >= stop ? bar.open : bar.high >= stop ? stop : NaN;
  return bar.open <= stop ? bar.open : bar.low <= stop ? stop : NaN;
}

/** A limit the open already beats fills at the open (the better price). */
export function limitTouch(side: Side, limit: number, bar: Readonly<Bar>): number {
  if (side === "BUY") return bar.open <= limit ? bar.open : bar.low <= limit ? limit : NaN;
  return bar.open >= limit ? bar.open : bar.high >= limit ? limit : NaN;
}

/** Triggered like a stop, then filled like a limit at the trigger price or the limit, whichever is worse. */
export function stopLimitTouch(side: Side, stop: number, limit: number, bar: Readonly<Bar>): number {
  const triggeredAt = stopTouch(side, stop, bar);
  if (Number.isNaN(triggeredAt)) return NaN;
  const afterTrigger = { ...bar, open: triggeredAt };
  return limitTouch(side, limit, afterTrigger);
}

/** Limits never slip: their price is the worst they accept. Market and stop fills do. */
export function slips(order: OrderRequest): boolean {
  return order.type === "MKT" || order.type === "STP" || order.type === "TRAIL";
}

export function withSlippage(side: Side, price: number, slippageBps: number): number {
  return slippageBps === 0 ? price : price * (1 + ((side === "BUY" ? 1 : -1) * slippageBps) / 10_000);
}
