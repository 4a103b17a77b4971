/** Orders as the simulated exchange keeps them, plus the records of a fill. */
import type Decimal from "decimal.js";
import type { Instrument } from "./instruments";

export type OrderAction = "BUY" | "SELL";

export const SUPPORTED_ORDER_TYPES = ["MKT", "LMT", "STP", "STP LMT", "TRAIL", "MOC", "LOC"] as const;
export type OrderType = (typeof SUPPORTED_ORDER_TYPES)[number];

export type OrderStatus = "PreSubmitted" | "Submitted" | "Filled" | "Cancelled" | "ApiCancelled" | "Inactive";

/** The terms a client sets on an order; the exchange narrows action and type once validated. */
export interface OrderTerms<Action extends string = OrderAction, Type extends string = OrderType> {
  action: Action;
  totalQuantity: number;
  orderType: Type;
  lmtPrice: number | undefined;
  auxPrice: number | undefined;
  trailingPercent: number | undefined;
  /** Current stop level of a trailing order, on the tick grid. */
  trailStopPrice: number | undefined;
  tif: string;
  ocaGroup: string;
  ocaType: number;
  parentId: number;
  transmit: boolean;
  outsideRth: boolean;
  orderRef: string;
  goodTillDate: string;
}

export interface SimOrder extends OrderTerms {
  orderId: number;
  clientId: number;
  permId: number;
  account: string;
  instrument: Instrument;
  status: OrderStatus;
  /** Held: placed with transmit=false and not yet released by a transmitted order of its group. */
  held: boolean;
  /** Stop-type orders become marketable (or limit) orders once triggered. */
  triggered: boolean;
  filled: number;
  avgFillPrice: number;
  lastFillPrice: number;
  /** Sum of price x shares of the fills, for the average and the commission cap. */
  filledValue: Decimal;
  commissionCharged: Decimal;
  placedAt: number;
  /** Fault injection: the order cannot fill before this instant. */
  fillableFrom: number;
  /** When and how it reached a terminal state: what reqCompletedOrders reports as completedTime and completedStatus. */
  completion?: { at: number; text: string };
}

export interface ExecutionRecord {
  execId: string;
  orderId: number;
  clientId: number;
  permId: number;
  account: string;
  instrument: Instrument;
  side: "BOT" | "SLD";
  shares: number;
  price: number;
  /** Epoch milliseconds. */
  timeMs: number;
  /** As on the wire: `yyyyMMdd HH:mm:ss US/Eastern`. */
  time: string;
  cumQty: number;
  avgPrice: number;
  orderRef: string;
  exchange: string;
}

export interface CommissionRecord {
  execId: string;
  commission: Decimal;
  currency: string;
  realizedPnl: Decimal | undefined;
}

export const remainingOf = (order: SimOrder): number => order.totalQuantity - order.filled;

export const isWorking = (order: SimOrder): boolean =>
  order.status === "PreSubmitted" || order.status === "Submitted";

export const isDone = (order: SimOrder): boolean =>
  order.status === "Filled" || order.status === "Cancelled" || order.status === "ApiCancelled" || order.status === "Inactive";

export const signedShares = (action: OrderAction, shares: number): number => (action === "BUY" ? shares : -shares);

/** Stop-type orders wait for a trigger before they can execute. */
export const needsTrigger = (type: OrderType): boolean =>
  type === "STP" || type === "STP LMT" || type === "TRAIL";

/** The limit an order executes within once active: undefined means "at the market". */
export function effectiveLimit(order: SimOrder): number | undefined {
  return order.orderType === "LMT" || order.orderType === "STP LMT" || order.orderType === "LOC" ? order.lmtPrice : undefined;
}
