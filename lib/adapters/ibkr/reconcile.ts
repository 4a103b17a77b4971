import { z } from "zod";
import { UNSET_INTEGER, type BrokerExecution, type BrokerOrder, type BrokerOrderStatus } from "./mapping";

/** What the last reconcile found; shown on the health endpoint. */
export interface ReconcileResult {
  at: string;
  durationMs: number;
  ok: boolean;
  openOrders: number;
  executions: number;
  positions: number;
  /** Things the broker and our records disagreed on, in words; empty when all matched. */
  discrepancies: string[];
}

export interface ReconcileSnapshot {
  openOrders: BrokerOrder[];
  executions: BrokerExecution[];
  /** Orders that ended at the broker in its current session (reqCompletedOrders). */
  completedOrders: BrokerCompletedOrder[];
  positions: number;
  /** When the broker was asked: orders first recorded later are not in these answers. */
  askedAt: Date;
}

/** An order that ended at the broker, as reqCompletedOrders reports it (it carries no order id). */
export interface BrokerCompletedOrder {
  permId: number | null;
  orderRef: string | null;
  account: string;
  symbol: string;
  status: string;
  quantity: number;
  filled: number;
  /** TWS's words for how it ended ("Cancelled by Trader", a rejection's reason, ...). */
  reason: string;
  completedTime: string;
}

/**
 * The final state given to an order the broker reports neither open nor completed: it is
 * gone at the broker (it ended before the broker's session began), how is unknown. Terminal.
 */
export const CLOSED_AT_BROKER = "ClosedAtBroker";

const completedOrderSchema = z.object({
  contract: z.object({ symbol: z.string().min(1) }),
  order: z.object({
    permId: z.number().optional(),
    orderRef: z.string().optional(),
    account: z.string().optional(),
    totalQuantity: z.number().finite(),
    filledQuantity: z.number().optional(),
  }),
  state: z.object({ status: z.string().min(1), completedStatus: z.string().optional(), completedTime: z.string().optional() }),
});

export function toBrokerCompletedOrder(contract: unknown, order: unknown, state: unknown): BrokerCompletedOrder {
  const raw = completedOrderSchema.parse({ contract, order, state });
  const permId = raw.order.permId;
  const filled = raw.order.filledQuantity;
  return {
    permId: permId === undefined || permId === 0 || permId === UNSET_INTEGER ? null : permId,
    orderRef: raw.order.orderRef || null,
    account: raw.order.account ?? "",
    symbol: raw.contract.symbol,
    status: raw.state.status,
    quantity: raw.order.totalQuantity,
    filled: filled === undefined || !Number.isFinite(filled) ? 0 : filled,
    reason: raw.state.completedStatus ?? "",
    completedTime: raw.state.completedTime ?? "",
  };
}

/** An order the database still holds as working, with the executions on record for it. */
export interface StoredWorkingOrder {
  account: string;
  clientId: number;
  orderId: number;
  permId: number | null;
  orderRef: string | null;
  quantity: number;
  /** Sum of its persisted executions' shares, and their volume-weighted price (null without any). */
  executedShares: number;
  executedAvgPrice: number | null;
}

export interface FinalState {
  account: string;
  clientId: number;
  status: BrokerOrderStatus;
  /** In words, for the reconcile's discrepancies. */
  note: string;
}

const QUANTITY_EPSILON = 1e-9;

/**
 * The final state of each stored working order the broker no longer lists as open: Filled when
 * its executions cover its quantity; else what the broker's completed orders say (matched by
 * permId, then orderRef); else {@link CLOSED_AT_BROKER}. Orders still open are left alone.
 */
export function finalStatesOfClosedOrders(stored: readonly StoredWorkingOrder[], snapshot: Pick<ReconcileSnapshot, "openOrders" | "completedOrders">): FinalState[] {
  const open = new Set(snapshot.openOrders.map((order) => orderKey(order.account, order.clientId, order.orderId)));
  const openPermIds = new Set(snapshot.openOrders.map((order) => order.permId).filter((permId) => permId !== null));
  return stored
    .filter((order) => !open.has(orderKey(order.account, order.clientId, order.orderId)) && !(order.permId !== null && openPermIds.has(order.permId)))
    .map((order) => finalStateOf(order, completedMatch(order, snapshot.completedOrders)));
}

function finalStateOf(order: StoredWorkingOrder, completed: BrokerCompletedOrder | undefined): FinalState {
  const label = `order ${order.orderId}${order.orderRef ? ` (${order.orderRef})` : ""}`;
  const ended = (status: string, filled: number, note: string): FinalState => ({
    account: order.account,
    clientId: order.clientId,
    note: `${label} ${note}`,
    status: {
      orderId: order.orderId,
      status,
      filled,
      remaining: Math.max(0, order.quantity - filled),
      avgFillPrice: filled > 0 ? order.executedAvgPrice : null,
      lastFillPrice: null,
      permId: order.permId ?? completed?.permId ?? null,
      clientId: order.clientId,
      whyHeld: null,
    },
  });
  if (order.executedShares >= order.quantity - QUANTITY_EPSILON) return ended("Filled", order.executedShares, "filled while we were away");
  if (completed) {
    const filled = Math.max(order.executedShares, completed.filled);
    return ended(completed.status, filled, `ended ${completed.status} at the broker while we were away${completed.reason ? `: ${completed.reason}` : ""}`);
  }
  return ended(CLOSED_AT_BROKER, order.executedShares, "is no longer at the broker, neither open nor among its completed orders; marked " + CLOSED_AT_BROKER);
}

function completedMatch(order: StoredWorkingOrder, completed: readonly BrokerCompletedOrder[]): BrokerCompletedOrder | undefined {
  if (order.permId !== null) {
    const byPermId = completed.find((candidate) => candidate.permId === order.permId);
    if (byPermId) return byPermId;
  }
  if (!order.orderRef) return undefined;
  const byRef = completed.filter((candidate) => candidate.orderRef === order.orderRef && candidate.account === order.account);
  return byRef.length === 1 ? byRef[0] : undefined;
}

function orderKey(account: string, clientId: number, orderId: number): string {
  return `${account}/${clientId}/${orderId}`;
}

/** TWS `yyyyMMdd-HH:mm:ss` (UTC) for the execution filter's time field. */
export function executionFilterTime(since: Date): string {
  const iso = since.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 19)}`;
}
