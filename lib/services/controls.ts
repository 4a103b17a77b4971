import type { TradingMode } from "@/lib/core/risk";
import type { AuditSource } from "./audit";
import type { CancelOrderResult, FlattenResult } from "./flatten";

/** Who asked for a manual action, and from where; every action writes an audit row with this. */
export interface Actor {
  readonly user: string;
  readonly source: AuditSource;
  readonly ip?: string | null;
}

export interface TradingStatus {
  readonly mode: TradingMode;
  /** ISO time the mode was entered. */
  readonly since: string;
  readonly reason: string | null;
  readonly changedBy: string | null;
}

export interface CancelAllResult {
  readonly ordersCancelled: number;
}

/**
 * The manual controls every front end shares (dashboard, REST, Discord, guardian, schedule):
 * one implementation, one audit trail.
 */
export interface TradingControls {
  status(): TradingStatus;
  haltEntries(actor: Actor, reason?: string): Promise<TradingStatus>;
  reduceOnly(actor: Actor, reason: string): Promise<TradingStatus>;
  resume(actor: Actor): Promise<TradingStatus>;
  flattenAll(actor: Actor): Promise<FlattenResult>;
  flattenSymbol(actor: Actor, symbol: string): Promise<FlattenResult>;
  cancelAllOrders(actor: Actor): Promise<CancelAllResult>;
  /** Cancels one working order; another client's order cannot be cancelled one by one, and the message says so. */
  cancelOrder(actor: Actor, orderId: number): Promise<CancelOrderResult>;
}
