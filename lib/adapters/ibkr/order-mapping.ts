import type { Order as IbOrder } from "@stoqey/ib";
import type { OrderRequest, OrderStatus, Side, TimeInForce } from "@/lib/core/model/order";
import type { OrderModification } from "@/lib/core/ports";

/** TWS statuses and the core status each one means. */
const STATUS_FROM_IB: Readonly<Record<string, OrderStatus>> = {
  ApiPending: "PendingSubmit",
  PendingSubmit: "PendingSubmit",
  PreSubmitted: "PreSubmitted",
  Submitted: "Submitted",
  ApiCancelled: "Cancelled",
  PendingCancel: "PendingCancel",
  Cancelled: "Cancelled",
  Filled: "Filled",
  Inactive: "Inactive",
};

/** The core status for a TWS status; undefined for one TWS never documented (ignore it). */
export function coreStatusOf(ibStatus: string): OrderStatus | undefined {
  return STATUS_FROM_IB[ibStatus];
}

/** TWS order actions; SSHORT is a sell. */
export function coreSideOf(action: string): Side {
  if (action === "BUY") return "BUY";
  if (action === "SELL" || action === "SSHORT") return "SELL";
  throw new Error(`unknown TWS order action "${action}"`);
}

const TIF_TO_IB: Readonly<Record<TimeInForce, string>> = { DAY: "DAY", GTC: "GTC", IOC: "IOC" };

export interface IbOrderOptions {
  /** Ties the order to the decision that made it (IB orderRef). */
  orderRef: string;
  /** false on every order of a bracket but the last: TWS holds them until the last arrives. */
  transmit?: boolean;
  ocaType?: 1 | 2 | 3;
  outsideRth?: boolean;
  account?: string;
}

/** The core order as a TWS order. Prices are already on the tick grid; `transmit` is always explicit. */
export function toIbOrder(request: OrderRequest, options: IbOrderOptions): IbOrder {
  const order: IbOrder = {
    action: request.side as IbOrder["action"],
    totalQuantity: request.quantity,
    orderType: request.type as IbOrder["orderType"],
    tif: TIF_TO_IB[request.timeInForce] as IbOrder["tif"],
    transmit: options.transmit ?? true,
    orderRef: options.orderRef,
    ...pricingFields(request),
  };
  if (request.parentId !== undefined) order.parentId = request.parentId;
  if (request.ocaGroup !== undefined) {
    order.ocaGroup = request.ocaGroup;
    order.ocaType = options.ocaType ?? 1;
  }
  if (options.outsideRth !== undefined) order.outsideRth = options.outsideRth;
  if (options.account) order.account = options.account;
  return order;
}

function pricingFields(request: OrderRequest): Partial<IbOrder> {
  switch (request.type) {
    case "MKT":
      return {};
    case "LMT":
      return { lmtPrice: request.limitPrice };
    case "STP":
      return { auxPrice: request.stopPrice };
    case "STP LMT":
      return { auxPrice: request.stopPrice, lmtPrice: request.limitPrice };
    case "TRAIL": {
      const trail = "amount" in request.trail ? { auxPrice: request.trail.amount } : { trailingPercent: request.trail.percent };
      return request.stopPrice === undefined ? trail : { ...trail, trailStopPrice: request.stopPrice };
    }
  }
}

/** The order as it stands after `changes`: TWS modifies by re-sending the whole order under its id. */
export function applyModification(request: OrderRequest, changes: OrderModification): OrderRequest {
  const next = { ...request } as Record<string, unknown>;
  if (changes.quantity !== undefined) next.quantity = changes.quantity;
  if (changes.limitPrice !== undefined) {
    if (!("limitPrice" in request)) throw new Error(`order ${request.id}: a ${request.type} order has no limit price`);
    next.limitPrice = changes.limitPrice;
  }
  if (changes.stopPrice !== undefined) {
    if (!("stopPrice" in request) && request.type !== "TRAIL") throw new Error(`order ${request.id}: a ${request.type} order has no stop price`);
    next.stopPrice = changes.stopPrice;
  }
  return next as OrderRequest;
}

/** TWS error codes that end an order, and those that only warn (the order works on). */
const REJECTION_CODES = new Set([103, 104, 110, 200, 201, 203, 320, 321, 387]);
const WARNING_CODES = new Set([399, 404, 10148, 161, 10147]);

export type OrderErrorMeaning = "rejected" | "cancelled" | "warning" | "other";

export function orderErrorMeaning(code: number): OrderErrorMeaning {
  if (code === 202) return "cancelled";
  if (REJECTION_CODES.has(code)) return "rejected";
  if (WARNING_CODES.has(code)) return "warning";
  return "other";
}
