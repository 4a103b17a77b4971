import { z } from "zod";
import type { Side } from "@/lib/core/model/order";
import { instantOf, isValidTimeZone } from "@/lib/core/time/zoned-time";

/** TWS sends these for "no value" in double and int fields. */
export const UNSET_DOUBLE = Number.MAX_VALUE;
export const UNSET_INTEGER = 2_147_483_647;

export interface BrokerOrder {
  orderId: number;
  clientId: number;
  permId: number | null;
  parentId: number | null;
  account: string;
  symbol: string;
  conId: number | null;
  secType: string;
  exchange: string;
  currency: string;
  side: Side;
  orderType: string;
  quantity: number;
  limitPrice: number | null;
  auxPrice: number | null;
  timeInForce: string;
  ocaGroup: string | null;
  orderRef: string | null;
  status: string;
}

export interface BrokerOrderStatus {
  orderId: number;
  status: string;
  filled: number;
  remaining: number;
  avgFillPrice: number | null;
  lastFillPrice: number | null;
  permId: number | null;
  clientId: number | null;
  whyHeld: string | null;
}

export interface BrokerExecution {
  execId: string;
  orderId: number;
  clientId: number;
  permId: number | null;
  account: string;
  symbol: string;
  conId: number | null;
  currency: string;
  exchange: string;
  side: Side;
  shares: number;
  price: number;
  cumQty: number;
  avgPrice: number;
  orderRef: string | null;
  executedAt: Date;
}

export interface BrokerCommission {
  execId: string;
  commission: number;
  currency: string;
  realizedPnl: number | null;
}

export interface BrokerPosition {
  account: string;
  symbol: string;
  conId: number | null;
  currency: string;
  quantity: number;
  avgCost: number;
}

/**
 * Terminal order states: nothing more will happen to an order in one of these. Besides TWS's
 * own, ClosedAtBroker: our record of an order the broker no longer knows (neither open nor
 * among its completed orders after a restart), ended in a way we cannot learn.
 */
export const TERMINAL_ORDER_STATUSES = new Set(["Filled", "Cancelled", "ApiCancelled", "Inactive", "ClosedAtBroker"]);

export function isWorkingStatus(status: string): boolean {
  return !TERMINAL_ORDER_STATUSES.has(status);
}

export function stockContract(symbol: string, currency = "USD", exchange = "SMART") {
  return { symbol, secType: "STK", exchange, currency } as const;
}

const finite = z.number().finite();
const optionalNumber = z.number().optional();
const optionalString = z.string().optional();

/** A number TWS may send as its "unset" sentinel, as null. */
function setOrNull(value: number | undefined): number | null {
  if (value === undefined || !Number.isFinite(value) || value === UNSET_DOUBLE || value === UNSET_INTEGER) return null;
  return value;
}

function emptyToNull(value: string | undefined): string | null {
  return value === undefined || value === "" ? null : value;
}

const contractSchema = z.object({
  symbol: z.string().min(1, "contract without a symbol"),
  conId: optionalNumber,
  secType: optionalString,
  exchange: optionalString,
  primaryExch: optionalString,
  currency: optionalString,
  localSymbol: optionalString,
});

const orderSchema = z.object({
  action: z.enum(["BUY", "SELL", "SSHORT"]),
  totalQuantity: finite,
  orderType: z.string().min(1),
  lmtPrice: optionalNumber,
  auxPrice: optionalNumber,
  tif: optionalString,
  ocaGroup: optionalString,
  orderRef: optionalString,
  parentId: optionalNumber,
  permId: optionalNumber,
  clientId: optionalNumber,
  account: optionalString,
});

export class BrokerMessageError extends Error {
  constructor(message: string, readonly detail: unknown) {
    super(message);
    this.name = "BrokerMessageError";
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const where = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
  throw new BrokerMessageError(`Malformed ${what} from the broker (${where})`, value);
}

export function toBrokerOrder(orderId: number, rawContract: unknown, rawOrder: unknown, status: string): BrokerOrder {
  const contract = parse(contractSchema, rawContract, "open order contract");
  const order = parse(orderSchema, rawOrder, `open order ${orderId}`);
  return {
    orderId,
    clientId: order.clientId ?? 0,
    permId: setOrNull(order.permId),
    parentId: setOrNull(order.parentId) || null,
    account: order.account ?? "",
    symbol: contract.symbol,
    conId: setOrNull(contract.conId),
    secType: contract.secType ?? "STK",
    exchange: contract.exchange || "SMART",
    currency: contract.currency || "USD",
    side: order.action === "BUY" ? "BUY" : "SELL",
    orderType: order.orderType,
    quantity: order.totalQuantity,
    limitPrice: order.orderType === "MKT" ? null : setOrNull(order.lmtPrice),
    auxPrice: order.orderType === "MKT" ? null : setOrNull(order.auxPrice),
    timeInForce: order.tif || "DAY",
    ocaGroup: emptyToNull(order.ocaGroup),
    orderRef: emptyToNull(order.orderRef),
    status,
  };
}

const orderStatusSchema = z.object({
  orderId: z.number().int(),
  status: z.string().min(1),
  filled: finite,
  remaining: finite,
  avgFillPrice: optionalNumber,
  lastFillPrice: optionalNumber,
  permId: optionalNumber,
  clientId: optionalNumber,
  whyHeld: optionalString,
});

export function toBrokerOrderStatus(raw: unknown): BrokerOrderStatus {
  const status = parse(orderStatusSchema, raw, "order status");
  return {
    orderId: status.orderId,
    status: status.status,
    filled: status.filled,
    remaining: status.remaining,
    avgFillPrice: setOrNull(status.avgFillPrice) || null,
    lastFillPrice: setOrNull(status.lastFillPrice) || null,
    permId: setOrNull(status.permId),
    clientId: setOrNull(status.clientId),
    whyHeld: emptyToNull(status.whyHeld),
  };
}

const executionSchema = z.object({
  execId: z.string().min(1, "execution without execId"),
  orderId: z.number().int(),
  clientId: optionalNumber,
  permId: optionalNumber,
  acctNumber: optionalString,
  exchange: optionalString,
  side: z.enum(["BOT", "SLD"]),
  shares: finite.positive(),
  price: finite.positive(),
  cumQty: optionalNumber,
  avgPrice: optionalNumber,
  orderRef: optionalString,
  time: z.string().min(1),
});

export function toBrokerExecution(rawContract: unknown, rawExecution: unknown, defaultTimeZone: string): BrokerExecution {
  const contract = parse(contractSchema, rawContract, "execution contract");
  const execution = parse(executionSchema, rawExecution, "execution");
  return {
    execId: execution.execId,
    orderId: execution.orderId,
    clientId: execution.clientId ?? 0,
    permId: setOrNull(execution.permId),
    account: execution.acctNumber ?? "",
    symbol: contract.symbol,
    conId: setOrNull(contract.conId),
    currency: contract.currency || "USD",
    exchange: execution.exchange ?? "",
    side: execution.side === "BOT" ? "BUY" : "SELL",
    shares: execution.shares,
    price: execution.price,
    cumQty: execution.cumQty ?? execution.shares,
    avgPrice: execution.avgPrice ?? execution.price,
    orderRef: emptyToNull(execution.orderRef),
    executedAt: new Date(parseIbTimestamp(execution.time, defaultTimeZone)),
  };
}

const commissionSchema = z.object({
  execId: z.string().min(1),
  commission: finite,
  currency: optionalString,
  realizedPNL: optionalNumber,
});

export function toBrokerCommission(raw: unknown): BrokerCommission {
  const report = parse(commissionSchema, raw, "commission report");
  return {
    execId: report.execId,
    commission: report.commission,
    currency: report.currency || "USD",
    realizedPnl: setOrNull(report.realizedPNL),
  };
}

export function toBrokerPosition(account: string, rawContract: unknown, quantity: number, avgCost: number | undefined): BrokerPosition {
  const contract = parse(contractSchema, rawContract, "position contract");
  return {
    account,
    symbol: contract.symbol,
    conId: setOrNull(contract.conId),
    currency: contract.currency || "USD",
    quantity: parse(finite, quantity, `position size for ${contract.symbol}`),
    avgCost: setOrNull(avgCost) ?? 0,
  };
}

const IB_TIMESTAMP = /^(\d{4})(\d{2})(\d{2})[ -]+(\d{2}):(\d{2}):(\d{2})(?:\s+(\S+))?$/;

/**
 * TWS timestamps: `yyyyMMdd  HH:mm:ss` in the gateway's time zone, optionally followed by
 * an IANA zone (`20230306 12:28:30 America/Los_Angeles`), or epoch seconds.
 */
export function parseIbTimestamp(text: string, defaultTimeZone: string): number {
  const trimmed = text.trim();
  if (/^\d{9,10}$/.test(trimmed)) return Number(trimmed) * 1000;
  const match = IB_TIMESTAMP.exec(trimmed);
  if (!match) throw new BrokerMessageError(`Unrecognised TWS timestamp "${text}"`, text);
  const [, year, month, day, hour, minute, second, zone] = match;
  const timeZone = zone && isValidTimeZone(zone) ? zone : defaultTimeZone;
  return instantOf(
    { year: +year, month: +month, day: +day, hour: +hour, minute: +minute, second: +second },
    timeZone,
  );
}

/**
 * What an order error code means for the order: `rejected` (the order is dead), `cancelled`
 * (a normal cancel confirmation), `warning` (the order stays live), `cancel-refused` (cancel
 * of an unknown or finished order; nothing to do), `duplicate-id` (the id was not taken).
 */
export type OrderErrorKind = "rejected" | "cancelled" | "warning" | "cancel-refused" | "duplicate-id";

const ORDER_ERROR_KINDS: Record<number, OrderErrorKind> = {
  103: "duplicate-id",
  104: "rejected",
  105: "rejected",
  110: "rejected",
  161: "cancel-refused",
  200: "rejected",
  201: "rejected",
  202: "cancelled",
  321: "rejected",
  387: "rejected",
  399: "warning",
  404: "warning",
  10147: "cancel-refused",
  10148: "cancel-refused",
};

/** On a modify, these leave the original order working (ibkr-notes: 321/399/110 on a modify). */
const WARNING_ON_MODIFY = new Set([110, 321, 399]);

export function classifyOrderError(code: number, context: { modifying?: boolean } = {}): OrderErrorKind {
  if (context.modifying && WARNING_ON_MODIFY.has(code)) return "warning";
  return ORDER_ERROR_KINDS[code] ?? (code >= 2100 && code < 2200 ? "warning" : "rejected");
}
