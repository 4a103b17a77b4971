import type { Bar } from "../data/bars";
import { commissionAmount, type CommissionModel } from "../model/commission";
import type { Fill } from "../model/fill";
import type { Instrument } from "../model/instrument";
import { Order, oppositeSide, type OrderRequest, type Side } from "../model/order";
import type { Portfolio } from "../model/portfolio";
import type { Position } from "../model/position";
import { roundOrderPrice, roundQuantity } from "../model/rounding";
import {
  discardEvents,
  type BrokerEvent,
  type BrokerPort,
  type Clock,
  type DomainEvent,
  type EventSink,
  type OrderModification,
  type RiskGate,
  type Tick,
  type TradeIntent,
  type Unsubscribe,
} from "../ports";
import type { Strategy, StrategyContext, StrategyIntent } from "../strategies/types";
import { alwaysApprove } from "./risk-gates";
import { entryQuantity, type Sizing } from "./sizing";

export interface EngineOptions {
  readonly instrument: Instrument;
  readonly strategy: Strategy;
  readonly broker: BrokerPort;
  readonly portfolio: Portfolio;
  readonly clock: Clock;
  readonly sizing: Sizing;
  /** The commission the broker will charge, so an all-in entry leaves room to pay it. */
  readonly commission: CommissionModel;
  readonly fractional?: boolean;
  /** Adverse slippage assumed when sizing an entry, in basis points. */
  readonly sizingSlippageBps?: number;
  readonly risk?: RiskGate;
  readonly events?: EventSink;
  /**
   * The event types to build and send to `events` (default: all of them). A caller that keeps only
   * some, like a backtest recording orders and fills, spares the engine building the others.
   */
  readonly eventTypes?: ReadonlySet<DomainEvent["type"]>;
  /**
   * Keep an order in `orderBook` once its broker reports it filled, cancelled or inactive (default
   * true). A backtest, whose result lists every order it sent, keeps only the working ones.
   */
  readonly keepsFinishedOrders?: boolean;
}

type EventType = DomainEvent["type"];

const EVENT_TYPES: readonly EventType[] = ["decision", "denial", "order", "order-status", "fill", "error"];

/**
 * The trading loop shared by backtest, paper and live: market data goes to the strategy,
 * its intents are sized, rounded to tick and put to the risk gate, approved orders go to
 * the broker port, and the broker's fills come back to the portfolio and the strategy.
 * It never reads a clock of its own and does no I/O: the ports do.
 */
export class TradingEngine {
  private readonly orders = new Map<number, Order>();
  private readonly queue: StrategyIntent[] = [];
  private readonly entryOrders = new Set<number>();
  private readonly takeProfitOrders = new Set<number>();
  private exitOrder: number | undefined;
  private stopOrder: number | undefined;
  private stopLevel = NaN;
  private lastPrice = NaN;
  private draining = false;
  private unsubscribe: Unsubscribe | undefined;
  private readonly risk: RiskGate;
  private readonly events: EventSink;
  private readonly emits: Readonly<Record<EventType, boolean>>;
  private readonly context: StrategyContext;
  /** The instrument's position: the same object for the engine's life, so read without lookup. */
  private readonly held: Position;

  constructor(private readonly options: EngineOptions) {
    this.risk = options.risk ?? alwaysApprove;
    this.events = options.events ?? discardEvents;
    const wanted = options.eventTypes;
    this.emits = Object.fromEntries(EVENT_TYPES.map((type) => [type, wanted === undefined || wanted.has(type)])) as Record<EventType, boolean>;
    this.held = options.portfolio.position(options.instrument.symbol);
    this.context = this.createContext();
  }

  start(): void {
    this.unsubscribe ??= this.options.broker.onEvent((event) => this.onBrokerEvent(event));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  get position(): number {
    return this.held.quantity;
  }

  /** Orders the engine has sent, by id, in their current state (see `keepsFinishedOrders`). */
  get orderBook(): ReadonlyMap<number, Order> {
    return this.orders;
  }

  onBar(bar: Readonly<Bar>): void {
    this.lastPrice = bar.close;
    this.options.strategy.onBar(bar, this.context);
    if (this.queue.length > 0) this.drain();
  }

  onTick(tick: Tick): void {
    if (tick.symbol !== this.options.instrument.symbol) return;
    this.lastPrice = tick.price;
    this.options.strategy.onTick?.(tick, this.context);
    if (this.queue.length > 0) this.drain();
  }

  /**
   * Backtests only: lets the strategy pass over bars on which it would do nothing (see
   * `Strategy.skipIdleBars`), provided the engine has no order working or intent queued.
   * Returns how many bars were passed; the caller marks them to market.
   */
  skipIdleBars(limit: number): number {
    const busy = this.queue.length > 0 || this.entryOrders.size > 0 || this.takeProfitOrders.size > 0 || this.exitOrder !== undefined || this.stopOrder !== undefined;
    if (busy || limit <= 0) return 0;
    return this.options.strategy.skipIdleBars?.(this.context, limit) ?? 0;
  }

  /** Cancels every working order and closes the position at market. */
  flatten(reason: string): void {
    for (const id of this.entryOrders) this.options.broker.cancel(id);
    this.queue.push({ kind: "exit", reason });
    this.drain();
  }

  /**
   * After a restart, before `start` and the first price: takes over the position and the working
   * orders an earlier run of this engine left, so its strategy does not enter again what it holds
   * and the orders' later fills and cancels are its own. The position is one lot at the average
   * cost (the portfolio's cash is left alone: the account's funds already paid for it); each
   * order takes the part the engine gave it (entry, exit, protective stop or take-profit).
   * Sends nothing.
   */
  restore(state: RestoredState): void {
    if (this.held.quantity !== 0 || this.orders.size > 0) throw new Error(`${this.options.instrument.symbol}: restore needs a fresh engine`);
    const { quantity, averageCost } = state.position;
    if (quantity !== 0) {
      const side: Side = quantity > 0 ? "BUY" : "SELL";
      this.held.apply({ orderId: 0, execId: "restored", symbol: this.options.instrument.symbol, side, quantity: Math.abs(quantity), price: averageCost, commission: 0, time: 0 });
    }
    for (const { request, filled } of state.workingOrders) {
      const order = new Order(request);
      order.transition("Submitted");
      if (filled > 0) order.applyFill(filled, NaN);
      this.orders.set(request.id, order);
      const role = restoredRole(request, quantity);
      if (role === "entry") this.entryOrders.add(request.id);
      else if (role === "take-profit") this.takeProfitOrders.add(request.id);
      else if (role === "exit") this.exitOrder ??= request.id;
      else if (this.stopOrder === undefined) {
        this.stopOrder = request.id;
        this.stopLevel = "stopPrice" in request && request.stopPrice !== undefined ? request.stopPrice : NaN;
      }
    }
  }

  private createContext(): StrategyContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the context is a view on this engine
    const engine = this;
    return {
      symbol: engine.options.instrument.symbol,
      get position() {
        return engine.held.quantity;
      },
      get entryPrice() {
        return engine.held.averageCost;
      },
      get stopPrice() {
        return engine.stopLevel;
      },
      get entryPending() {
        return engine.entryOrders.size > 0;
      },
      now: () => engine.options.clock.now(),
      submit: (intent) => {
        engine.queue.push(intent);
      },
    };
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let intent = this.queue.shift(); intent !== undefined; intent = this.queue.shift()) this.execute(intent);
    } finally {
      this.draining = false;
    }
  }

  private execute(intent: StrategyIntent): void {
    if (Number.isNaN(this.lastPrice)) {
      this.emit({ type: "error", time: this.options.clock.now(), message: `no price yet for ${this.options.instrument.symbol}: ${intent.kind} ignored` });
      return;
    }
    switch (intent.kind) {
      case "enter":
        return this.enter(intent);
      case "exit":
        return this.exit(intent.reason, intent.quantity);
      case "protect":
        return this.protect(intent.stopPrice, intent.reason);
      case "take-profit":
        return this.takeProfit(intent.quantity, intent.limitPrice, intent.reason);
    }
  }

  private enter(intent: Extract<StrategyIntent, { kind: "enter" }>): void {
    const wanted = intent.direction === "long" ? 1 : -1;
    if (Math.sign(this.position) === wanted || this.entryOrders.size > 0) return;
    if (this.position !== 0) this.exit(intent.reason);
    const side: Side = wanted > 0 ? "BUY" : "SELL";
    const quantity = this.sizeEntry(wanted);
    if (quantity <= 0) return this.deny(this.tradeIntent(side, quantity, "entry", intent.reason), "the sized quantity is zero: not enough equity for one lot");
    if (!this.approved(side, quantity, "entry", intent.reason)) return;
    const parent = this.request(side, quantity, { type: "MKT" }, intent.reason);
    this.entryOrders.add(parent.id);
    if (intent.takeProfit === undefined || intent.stopLoss === undefined) return this.send(parent);
    this.sendBracket(parent, intent.takeProfit, intent.stopLoss);
  }

  private sendBracket(parent: OrderRequest, takeProfit: number, stopLoss: number): void {
    const { instrument, broker } = this.options;
    const exitSide = oppositeSide(parent.side);
    const child = { symbol: parent.symbol, side: exitSide, quantity: parent.quantity, timeInForce: "GTC" as const, parentId: parent.id, ocaGroup: `bracket-${parent.id}` };
    const limitPrice = roundOrderPrice(instrument, exitSide, "limit", takeProfit);
    const stopPrice = roundOrderPrice(instrument, exitSide, "stop", stopLoss);
    const takeProfitOrder: OrderRequest = { ...child, id: broker.nextOrderId(), type: "LMT", limitPrice, tag: "take-profit" };
    const stopOrder: OrderRequest = { ...child, id: broker.nextOrderId(), type: "STP", stopPrice, tag: "stop-loss" };
    this.takeProfitOrders.add(takeProfitOrder.id);
    this.stopOrder = stopOrder.id;
    this.stopLevel = stopPrice;
    this.send(parent);
    this.send(takeProfitOrder);
    this.send(stopOrder);
  }

  private exit(reason: string, requested?: number): void {
    const held = Math.abs(this.position);
    if (held === 0 || this.exitOrder !== undefined) return;
    const quantity = requested === undefined ? held : Math.min(requested, held);
    if (quantity >= held) this.cancelProtection();
    const side: Side = this.position > 0 ? "SELL" : "BUY";
    if (!this.approved(side, quantity, "exit", reason)) return;
    const order = this.request(side, quantity, { type: "MKT" }, reason);
    this.exitOrder = order.id;
    this.send(order);
  }

  private protect(requestedStop: number, reason: string): void {
    const position = this.position;
    if (position === 0) return;
    const side: Side = position > 0 ? "SELL" : "BUY";
    const stopPrice = roundOrderPrice(this.options.instrument, side, "stop", requestedStop);
    const tighter = Number.isNaN(this.stopLevel) || (position > 0 ? stopPrice > this.stopLevel : stopPrice < this.stopLevel);
    if (!tighter) return;
    if (!this.approved(side, Math.abs(position), "protect", reason)) return;
    this.stopLevel = stopPrice;
    if (this.stopOrder !== undefined) return this.modify(this.stopOrder, { stopPrice });
    const order = this.request(side, Math.abs(position), { type: "STP", stopPrice }, reason, "GTC");
    this.stopOrder = order.id;
    this.send(order);
  }

  private takeProfit(requested: number, limit: number, reason: string): void {
    const position = this.position;
    const rounded = this.options.fractional ? requested : roundQuantity(this.options.instrument, requested);
    const quantity = Math.min(rounded, Math.abs(position));
    if (quantity <= 0) return;
    const side: Side = position > 0 ? "SELL" : "BUY";
    if (!this.approved(side, quantity, "exit", reason)) return;
    const limitPrice = roundOrderPrice(this.options.instrument, side, "limit", limit);
    const order = this.request(side, quantity, { type: "LMT", limitPrice }, reason, "GTC");
    this.takeProfitOrders.add(order.id);
    this.send(order);
  }

  /** Equity marked at the last price, less what closing the current position would cost. */
  private sizeEntry(direction: 1 | -1): number {
    const { portfolio, commission, instrument, sizing } = this.options;
    const held = this.position;
    const closingCost = held === 0 ? 0 : commissionAmount(commission, Math.abs(held), this.lastPrice);
    const equity = portfolio.cashAsNumber + held * this.lastPrice - closingCost;
    const price = this.lastPrice * (1 + (direction * (this.options.sizingSlippageBps ?? 0)) / 10_000);
    return entryQuantity(sizing, { equity, price, commission, instrument, fractional: this.options.fractional ?? false });
  }

  private cancelProtection(): void {
    if (this.stopOrder !== undefined) this.options.broker.cancel(this.stopOrder);
    for (const id of this.takeProfitOrders) this.options.broker.cancel(id);
  }

  private onBrokerEvent(event: BrokerEvent): void {
    if (event.type === "fill") return this.onFill(event.fill);
    const order = this.orders.get(event.update.orderId);
    if (!order) return;
    order.transition(event.update.status, event.update.reason);
    if (this.emits["order-status"]) this.emit({ type: "order-status", time: this.options.clock.now(), update: event.update });
    if (order.isWorking) return;
    this.forget(order.id);
    if (this.options.keepsFinishedOrders === false) this.orders.delete(order.id);
  }

  private onFill(fill: Fill): void {
    const order = this.orders.get(fill.orderId);
    if (!order) {
      this.emit({ type: "error", time: fill.time, message: `fill ${fill.execId} for unknown order ${fill.orderId}` });
      return;
    }
    order.applyFill(fill.quantity, fill.price);
    const effect = this.options.portfolio.applyFill(fill);
    if (this.emits.fill) this.emit({ type: "fill", time: fill.time, fill, realizedPnl: effect.realized });
    if (!order.isWorking) this.forget(order.id);
    this.resizeProtection();
    this.options.strategy.onFill?.(fill, this.context);
    this.drain();
  }

  /** After a fill the protective orders must cover exactly what is held, no more. */
  private resizeProtection(): void {
    const held = Math.abs(this.position);
    if (held === 0) return this.cancelProtection();
    if (this.entryOrders.size > 0) return;
    const stop = this.stopOrder === undefined ? undefined : this.orders.get(this.stopOrder);
    if (stop && stop.request.quantity !== held && stop.filled === 0) this.modify(stop.id, { quantity: held });
  }

  private modify(orderId: number, changes: OrderModification): void {
    this.orders.get(orderId)?.amend(changes);
    this.options.broker.modify(orderId, changes);
  }

  private forget(orderId: number): void {
    this.entryOrders.delete(orderId);
    this.takeProfitOrders.delete(orderId);
    if (this.exitOrder === orderId) this.exitOrder = undefined;
    if (this.stopOrder === orderId) {
      this.stopOrder = undefined;
      this.stopLevel = NaN;
    }
  }

  private tradeIntent(side: Side, quantity: number, purpose: TradeIntent["purpose"], reason: string): TradeIntent {
    return { symbol: this.options.instrument.symbol, side, quantity, referencePrice: this.lastPrice, purpose, reason };
  }

  private approved(side: Side, quantity: number, purpose: TradeIntent["purpose"], reason: string): boolean {
    // The gate that approves everything needs no intent, nor does a decision nobody records.
    if (this.risk === alwaysApprove && !this.emits.decision) return true;
    const intent = this.tradeIntent(side, quantity, purpose, reason);
    const { portfolio } = this.options;
    const state = { position: this.position, equity: portfolio.cashAsNumber + this.position * this.lastPrice, cash: portfolio.cashAsNumber };
    const decision = this.risk.check(intent, state);
    if (!decision.approved) {
      this.deny(intent, decision.reason);
      return false;
    }
    if (this.emits.decision) this.emit({ type: "decision", time: this.options.clock.now(), symbol: intent.symbol, intent });
    return true;
  }

  private deny(intent: TradeIntent, reason: string): void {
    if (this.emits.denial) this.emit({ type: "denial", time: this.options.clock.now(), intent, reason });
  }

  private request(
    side: Side,
    quantity: number,
    pricing: { type: "MKT" } | { type: "LMT"; limitPrice: number } | { type: "STP"; stopPrice: number },
    reason: string,
    timeInForce: "DAY" | "GTC" = "DAY",
  ): OrderRequest {
    const id = this.options.broker.nextOrderId();
    const symbol = this.options.instrument.symbol;
    // Literal objects, not a spread of `pricing`: object spread is slow on this per-order path.
    switch (pricing.type) {
      case "MKT":
        return { type: "MKT", id, symbol, side, quantity, timeInForce, tag: reason };
      case "LMT":
        return { type: "LMT", limitPrice: pricing.limitPrice, id, symbol, side, quantity, timeInForce, tag: reason };
      case "STP":
        return { type: "STP", stopPrice: pricing.stopPrice, id, symbol, side, quantity, timeInForce, tag: reason };
    }
  }

  private send(request: OrderRequest): void {
    this.orders.set(request.id, new Order(request));
    if (this.emits.order) this.emit({ type: "order", time: this.options.clock.now(), order: request });
    this.options.broker.submit(request);
  }

  private emit(event: DomainEvent): void {
    if (this.emits[event.type]) this.events.emit(event);
  }
}

/** What an engine takes over after a restart (see `TradingEngine.restore`). */
export interface RestoredState {
  /** What the engine's own fills add up to: signed quantity and average cost (NaN when flat). */
  readonly position: { readonly quantity: number; readonly averageCost: number };
  /** Its orders still working at the broker, with the quantity each has filled so far. */
  readonly workingOrders: readonly { readonly request: OrderRequest; readonly filled: number }[];
}

/**
 * The part a restored order plays, read as the engine makes its orders: a stop order protects,
 * a bracket's limit child or a limit against the position takes profit, a market order against
 * it exits, and anything else (a bracket's parent, an order on the position's side) enters.
 */
function restoredRole(request: OrderRequest, position: number): "entry" | "exit" | "stop" | "take-profit" {
  if (request.type === "STP" || request.type === "STP LMT" || request.type === "TRAIL") return "stop";
  const against = position !== 0 && (request.side === "BUY") !== (position > 0);
  if (request.parentId !== undefined || (against && request.type === "LMT")) return "take-profit";
  return against ? "exit" : "entry";
}
