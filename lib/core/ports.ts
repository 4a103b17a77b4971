import type { Bar } from "./data/bars";
import type { Fill } from "./model/fill";
import type { OrderRequest, OrderStatus, Side } from "./model/order";

/** The only source of "now" in the core: bar time in a backtest, the wall clock live. */
export interface Clock {
  /** Epoch milliseconds, UTC. */
  now(): number;
}

export type Unsubscribe = () => void;

/** An order's status as the broker reports it (IB orderStatus). */
export interface OrderStatusUpdate {
  readonly orderId: number;
  readonly status: OrderStatus;
  readonly filled: number;
  readonly remaining: number;
  /** Why the broker refused or cancelled the order, when it says. */
  readonly reason?: string;
}

export type BrokerEvent =
  | { readonly type: "status"; readonly update: OrderStatusUpdate }
  | { readonly type: "fill"; readonly fill: Fill };

/** Price-only changes a working order accepts (IB re-places the order under the same id). */
export interface OrderModification {
  readonly quantity?: number;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
}

/**
 * What the engine needs from a broker. Calls return at once; what happens to an order is
 * reported later, as events, in the order the broker produced them. The simulated broker
 * and the IBKR adapter both implement it.
 */
export interface BrokerPort {
  /** A fresh order id, greater than every id used before. */
  nextOrderId(): number;
  submit(order: OrderRequest): void;
  modify(orderId: number, changes: OrderModification): void;
  cancel(orderId: number): void;
  cancelAll(): void;
  onEvent(listener: (event: BrokerEvent) => void): Unsubscribe;
}

export interface Tick {
  readonly symbol: string;
  readonly time: number;
  readonly price: number;
  readonly size: number;
}

export interface MarketDataPort {
  subscribeBars(symbol: string, listener: (bar: Readonly<Bar>) => void): Unsubscribe;
  subscribeTicks(symbol: string, listener: (tick: Tick) => void): Unsubscribe;
}

/** A trade the engine wants to make, after sizing and before risk. */
export interface TradeIntent {
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  /** The price the intent was sized at (last close or trade). */
  readonly referencePrice: number;
  /** Entries add risk; exits and protective orders only reduce it. */
  readonly purpose: "entry" | "exit" | "protect";
  readonly reason: string;
}

/** What the risk gate sees of the account when it judges an intent. */
export interface RiskState {
  /** Signed quantity held in the intent's symbol. */
  readonly position: number;
  readonly equity: number;
  readonly cash: number;
}

export type RiskDecision = { readonly approved: true } | { readonly approved: false; readonly reason: string };

export interface RiskGate {
  check(intent: TradeIntent, state: RiskState): RiskDecision;
}

/** Everything the engine decides or observes, for journals, dashboards and notifiers. */
export type DomainEvent =
  | { readonly type: "decision"; readonly time: number; readonly symbol: string; readonly intent: TradeIntent }
  | { readonly type: "denial"; readonly time: number; readonly intent: TradeIntent; readonly reason: string }
  | { readonly type: "order"; readonly time: number; readonly order: OrderRequest }
  | { readonly type: "order-status"; readonly time: number; readonly update: OrderStatusUpdate }
  | { readonly type: "fill"; readonly time: number; readonly fill: Fill; readonly realizedPnl: number }
  | { readonly type: "error"; readonly time: number; readonly message: string };

export interface EventSink {
  emit(event: DomainEvent): void;
}

export const discardEvents: EventSink = { emit: () => undefined };

/** One sink that hands every event to each of `sinks`, in order. */
export function fanOutEvents(...sinks: readonly EventSink[]): EventSink {
  return {
    emit(event) {
      for (const sink of sinks) sink.emit(event);
    },
  };
}
