import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { OrderRequest, TimeInForce } from "@/lib/core/model/order";
import { Position } from "@/lib/core/model/position";
import { isWorkingStatus } from "@/lib/adapters/ibkr/mapping";
import { ORDER_REF_PREFIX, decisionIdOf } from "./order-decisions";

/** An order of the instance still working at the broker, as the journal last heard of it. */
export interface WorkingOrder {
  readonly request: OrderRequest;
  readonly filled: number;
  /** Its decision (orderRef `k1:<decision id>`), a bracket's children carrying their parent's. */
  readonly decisionId: string;
  /** Its executions already on record, counted in `filled` and in the position. */
  readonly execIds: readonly string[];
}

/** What one strategy instance holds in one symbol by its own orders alone. */
export interface InstanceHoldings {
  /** Signed quantity and FIFO average cost (NaN when flat) of the instance's own executions. */
  readonly quantity: number;
  readonly averageCost: number;
  /** When the fill that opened the position now held happened (epoch ms); null when flat. */
  readonly openedAt: number | null;
  readonly workingOrders: readonly WorkingOrder[];
  /** Working orders of the instance whose type cannot be taken over (reported, left alone). */
  readonly unreadable: readonly { orderId: number; orderType: string }[];
}

/** The orderRef prefix of an instance's decisions: `k1:<instance id>.` (instance ids hold no dot). */
export function instanceOrderRefPrefix(instanceId: string): string {
  return `${ORDER_REF_PREFIX}${instanceId}.`;
}

/**
 * Rebuilds, from the journal, what an instance holds in a symbol: its executions (those made
 * while the process was down included, once a reconcile has recorded them) applied in time order
 * to a core Position, and its orders the broker still works. Another instance's or a manual
 * order never counts: only orderRefs `k1:<instance id>.…` do.
 */
export async function instanceHoldings(prisma: PrismaClient, instanceId: string, symbol: string): Promise<InstanceHoldings> {
  const orderRef = { startsWith: instanceOrderRefPrefix(instanceId) };
  const [executions, orders] = await Promise.all([
    prisma.execution.findMany({ where: { orderRef, symbol }, orderBy: [{ executedAt: "asc" }, { execId: "asc" }] }),
    prisma.order.findMany({ where: { orderRef, symbol }, orderBy: { orderId: "asc" } }),
  ]);
  const position = new Position(symbol);
  let openedAt: number | null = null;
  for (const execution of executions) {
    const before = Math.sign(position.quantity);
    const time = execution.executedAt.getTime();
    position.apply({ orderId: execution.orderId, execId: execution.execId, symbol, side: execution.side === "BUY" ? "BUY" : "SELL", quantity: Number(execution.shares), price: Number(execution.price), commission: 0, time });
    const after = Math.sign(position.quantity);
    if (after === 0) openedAt = null;
    else if (after !== before) openedAt = time;
  }
  const workingOrders: WorkingOrder[] = [];
  const unreadable: { orderId: number; orderType: string }[] = [];
  for (const row of orders) {
    const own = executions.filter((execution) => execution.orderId === row.orderId);
    // Filled as far as its executions on record go: the same fills the position counts.
    const filled = own.reduce((sum, execution) => sum + Number(execution.shares), 0);
    if (!isWorkingStatus(row.status) || filled >= Number(row.quantity)) continue;
    const request = requestOf(row);
    if (!request) {
      unreadable.push({ orderId: row.orderId, orderType: row.orderType });
      continue;
    }
    workingOrders.push({ request, filled, decisionId: decisionIdOf(row.orderRef)!, execIds: own.map((execution) => execution.execId) });
  }
  return { quantity: position.quantity, averageCost: position.averageCost, openedAt, workingOrders, unreadable };
}

type OrderRow = Awaited<ReturnType<PrismaClient["order"]["findMany"]>>[number];

const TIMES_IN_FORCE: ReadonlySet<string> = new Set<TimeInForce>(["DAY", "GTC", "IOC"]);

/** The core order a journal row describes; undefined for a type the engine does not make. */
function requestOf(row: OrderRow): OrderRequest | undefined {
  const base = {
    id: row.orderId,
    symbol: row.symbol,
    side: row.side === "BUY" ? ("BUY" as const) : ("SELL" as const),
    quantity: Number(row.quantity),
    timeInForce: (TIMES_IN_FORCE.has(row.timeInForce) ? row.timeInForce : "DAY") as TimeInForce,
    ...(row.parentId ? { parentId: row.parentId } : {}),
    ...(row.ocaGroup ? { ocaGroup: row.ocaGroup } : {}),
  };
  const limit = row.limitPrice === null ? NaN : Number(row.limitPrice);
  const aux = row.auxPrice === null ? NaN : Number(row.auxPrice);
  switch (row.orderType) {
    case "MKT":
      return { ...base, type: "MKT" };
    case "LMT":
      return Number.isFinite(limit) ? { ...base, type: "LMT", limitPrice: limit } : undefined;
    case "STP":
      return Number.isFinite(aux) ? { ...base, type: "STP", stopPrice: aux } : undefined;
    case "STP LMT":
      return Number.isFinite(aux) && Number.isFinite(limit) ? { ...base, type: "STP LMT", stopPrice: aux, limitPrice: limit } : undefined;
    case "TRAIL":
      return Number.isFinite(aux) ? { ...base, type: "TRAIL", trail: { amount: aux } } : undefined;
    default:
      return undefined;
  }
}
