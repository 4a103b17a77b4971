import type { Bar } from "../data/bars";
import { commissionAmount, type CommissionModel } from "../model/commission";
import type { Fill } from "../model/fill";
import type { Instrument } from "../model/instrument";
import type { OrderRequest, OrderStatus } from "../model/order";
import { isOnTick } from "../model/rounding";
import type { BrokerEvent, BrokerPort, Clock, OrderModification, Unsubscribe } from "../ports";
import { slips, touchPrice, withSlippage, type FillTiming } from "./fill-model";

export interface SimulatedBrokerOptions {
  readonly instrument: Instrument;
  readonly fill: FillTiming;
  readonly slippageBps: number;
  readonly commission: CommissionModel;
  readonly clock: Clock;
}

interface SimOrder {
  request: OrderRequest;
  /** Waiting for its parent to fill. */
  held: boolean;
  /** First bar index whose prices may fill it: never the bar it was decided on. */
  eligibleFrom: number;
  trailStop: number;
}

type Phase = "idle" | "opening" | "trading";

const NONE: readonly SimOrder[] = [];

/**
 * A set of order ids: those this broker handed out (1 up to its last id) as flags in a byte array
 * that grows as needed, any other in a Set. A long backtest fills hundreds of thousands of orders;
 * a hash set of them all costs more than their orders.
 */
class OrderIdSet {
  private flags = new Uint8Array(1024);
  private readonly others = new Set<number>();

  constructor(private readonly lastIssued: () => number) {}

  add(id: number): void {
    if (!(Number.isInteger(id) && id > 0 && id <= this.lastIssued())) {
      this.others.add(id);
      return;
    }
    if (id >= this.flags.length) this.grow(id);
    this.flags[id] = 1;
  }

  has(id: number): boolean {
    return (Number.isInteger(id) && id > 0 && id < this.flags.length && this.flags[id] === 1) || this.others.has(id);
  }

  private grow(id: number): void {
    const grown = new Uint8Array(Math.max(id + 1, this.flags.length * 2));
    grown.set(this.flags);
    this.flags = grown;
  }
}

/**
 * A broker that fills orders against bars. The backtest runner calls `beginBar` before the
 * engine sees a bar (fills at the open and within the bar's range) and `endBar` after it.
 * An order is only ever filled on prices the bar it was decided on had not yet shown, except
 * with the `close` fill model, whose market orders fill at the deciding bar's close.
 */
export class SimulatedBroker implements BrokerPort {
  private readonly listeners: ((event: BrokerEvent) => void)[] = [];
  private readonly working: SimOrder[] = [];
  /** Ids of orders that filled, so a child sent after its parent filled starts active. */
  private readonly filled = new OrderIdSet(() => this.lastOrderId);
  private lastOrderId = 0;
  private executions = 0;
  private barIndex = -1;
  private phase: Phase = "idle";
  private bar: Readonly<Bar> = { time: NaN, open: NaN, high: NaN, low: NaN, close: NaN, volume: NaN };

  constructor(private readonly options: SimulatedBrokerOptions) {}

  nextOrderId(): number {
    return ++this.lastOrderId;
  }

  onEvent(listener: (event: BrokerEvent) => void): Unsubscribe {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  /** No order working: nothing can fill. */
  get isIdle(): boolean {
    return this.working.length === 0;
  }

  /** Counts bars the runner passed over while idle, so bar indexes stay those of the series. */
  skipIdleBars(count: number): void {
    if (!this.isIdle) throw new Error("skipIdleBars: orders are working");
    this.barIndex += count;
  }

  beginBar(bar: Readonly<Bar>): void {
    this.bar = bar;
    this.barIndex++;
    this.phase = "trading";
    if (this.working.length === 0) return;
    this.phase = "opening";
    this.fillEligible((order) => order.request.type === "MKT", () => bar.open);
    // Stops before limits: when a bar touches both, assume the worse outcome came first.
    this.fillEligible((order) => order.request.type !== "MKT" && order.request.type !== "LMT", (order) => touchPrice(order.request, order.trailStop, bar));
    this.fillEligible((order) => order.request.type === "LMT", (order) => touchPrice(order.request, order.trailStop, bar));
    this.phase = "trading";
  }

  endBar(): void {
    if (this.working.length === 0) {
      this.phase = "idle";
      return;
    }
    if (this.options.fill === "close") this.settleMarketOrdersAtClose();
    for (const order of this.working) if (order.request.type === "TRAIL" && !order.held) this.ratchetTrail(order);
    this.phase = "idle";
  }

  /** Fills every working market order at the current bar's close (used to close out a backtest). */
  settleMarketOrdersAtClose(): void {
    for (const order of [...this.working]) {
      if (order.request.type === "MKT" && !order.held) this.execute(order, this.bar.close);
    }
  }

  submit(request: OrderRequest): void {
    const problem = this.validate(request);
    if (problem) return this.status(request.id, "Inactive", 0, request.quantity, problem);
    const parentId = request.parentId;
    if (parentId !== undefined && !this.filled.has(parentId) && !this.find(parentId)) {
      return this.status(request.id, "Inactive", 0, request.quantity, `parent order ${parentId} is not working`);
    }
    const held = parentId !== undefined && !this.filled.has(parentId);
    const order: SimOrder = { request, held, eligibleFrom: this.barIndex + 1, trailStop: NaN };
    this.working.push(order);
    this.status(request.id, order.held ? "PreSubmitted" : "Submitted", 0, request.quantity);
    if (!order.held) this.activate(order);
  }

  modify(orderId: number, changes: OrderModification): void {
    const order = this.find(orderId);
    if (!order) return;
    const request = { ...order.request, ...changes } as OrderRequest;
    const problem = this.validate(request);
    if (problem) return this.status(orderId, "Submitted", 0, order.request.quantity, `modification refused: ${problem}`);
    order.request = request;
    if (changes.stopPrice !== undefined && request.type === "TRAIL") order.trailStop = changes.stopPrice;
    this.status(orderId, order.held ? "PreSubmitted" : "Submitted", 0, request.quantity);
  }

  cancel(orderId: number): void {
    const order = this.find(orderId);
    if (!order) return;
    this.remove(order);
    this.status(orderId, "Cancelled", 0, order.request.quantity);
    for (const child of this.workingWhere((candidate) => candidate.request.parentId === orderId)) this.cancel(child.request.id);
  }

  cancelAll(): void {
    for (const order of [...this.working]) this.cancel(order.request.id);
  }

  private activate(order: SimOrder): void {
    order.held = false;
    if (this.phase === "opening") order.eligibleFrom = this.barIndex;
    if (order.request.type === "TRAIL") order.trailStop = order.request.stopPrice ?? this.trailFrom(order.request, this.bar.close);
    if (order.request.type === "MKT" && this.options.fill === "close" && this.phase === "trading") this.execute(order, this.bar.close);
  }

  private fillEligible(selects: (order: SimOrder) => boolean, priceOf: (order: SimOrder) => number): void {
    for (const order of [...this.working]) {
      if (order.held || order.eligibleFrom > this.barIndex || !selects(order) || !this.working.includes(order)) continue;
      const price = priceOf(order);
      if (!Number.isNaN(price)) this.execute(order, price);
    }
  }

  private execute(order: SimOrder, touch: number): void {
    const { request } = order;
    const price = slips(request) ? withSlippage(request.side, touch, this.options.slippageBps) : touch;
    this.remove(order);
    this.filled.add(request.id);
    const fill: Fill = {
      orderId: request.id,
      execId: `sim-${++this.executions}`,
      symbol: request.symbol,
      side: request.side,
      quantity: request.quantity,
      price,
      commission: commissionAmount(this.options.commission, request.quantity, price),
      time: this.options.clock.now(),
    };
    this.publish({ type: "fill", fill });
    this.status(request.id, "Filled", request.quantity, 0);
    this.cancelOcaSiblings(request);
    for (const child of this.workingWhere((candidate) => candidate.held && candidate.request.parentId === request.id)) {
      this.activate(child);
      this.status(child.request.id, "Submitted", 0, child.request.quantity);
    }
  }

  private cancelOcaSiblings(request: OrderRequest): void {
    if (request.ocaGroup === undefined) return;
    for (const sibling of this.workingWhere((candidate) => candidate.request.ocaGroup === request.ocaGroup)) this.cancel(sibling.request.id);
  }

  private ratchetTrail(order: SimOrder): void {
    const { request } = order;
    const best = request.side === "SELL" ? this.bar.high : this.bar.low;
    const candidate = this.trailFrom(request, best);
    order.trailStop = request.side === "SELL" ? Math.max(order.trailStop, candidate) : Math.min(order.trailStop, candidate);
  }

  private trailFrom(request: OrderRequest, price: number): number {
    if (request.type !== "TRAIL") return NaN;
    const direction = request.side === "SELL" ? -1 : 1;
    const offset = "amount" in request.trail ? request.trail.amount : (price * request.trail.percent) / 100;
    return price + direction * offset;
  }

  private validate(request: OrderRequest): string | undefined {
    if (!(request.quantity > 0)) return `quantity must be positive, got ${request.quantity}`;
    if (request.symbol !== this.options.instrument.symbol) return `unknown symbol ${request.symbol}`;
    return this.offTick("limitPrice" in request ? request.limitPrice : undefined) ?? this.offTick("stopPrice" in request ? request.stopPrice : undefined);
  }

  private offTick(price: number | undefined): string | undefined {
    if (price === undefined || isOnTick(this.options.instrument, price)) return undefined;
    return `price ${price} is not on the ${this.options.instrument.tickSize} tick`;
  }

  /** The working orders `selects` picks, as a copy (the caller may cancel them). */
  private workingWhere(selects: (order: SimOrder) => boolean): readonly SimOrder[] {
    return this.working.length === 0 ? NONE : this.working.filter(selects);
  }

  private find(orderId: number): SimOrder | undefined {
    return this.working.find((order) => order.request.id === orderId);
  }

  private remove(order: SimOrder): void {
    const index = this.working.indexOf(order);
    if (index >= 0) this.working.splice(index, 1);
  }

  private status(orderId: number, status: OrderStatus, filled: number, remaining: number, reason?: string): void {
    const update = reason === undefined ? { orderId, status, filled, remaining } : { orderId, status, filled, remaining, reason };
    this.publish({ type: "status", update });
  }

  private publish(event: BrokerEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
