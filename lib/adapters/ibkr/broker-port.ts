import type { Contract } from "@stoqey/ib";
import type { Logger } from "pino";
import type { Fill } from "@/lib/core/model/fill";
import type { OrderRequest } from "@/lib/core/model/order";
import type { BrokerEvent, BrokerPort, OrderModification, OrderStatusUpdate, Unsubscribe } from "@/lib/core/ports";
import { decisionIdOf, type OrderDecisions } from "@/lib/adapters/db/order-decisions";
import type { GatewayClient } from "./gateway-client";
import { stockContract, type BrokerCommission, type BrokerExecution, type BrokerOrderStatus } from "./mapping";
import { applyModification, coreStatusOf, orderErrorMeaning, toIbOrder, type IbOrderOptions } from "./order-mapping";

/** The part of the gateway client the broker port uses. */
export type OrderGateway = Pick<GatewayClient, "allocateOrderId" | "placeOrderWithId" | "cancelOrder" | "cancelAllOrders" | "on" | "off">;

export interface IbkrBrokerOptions {
  gateway: OrderGateway;
  /** The qualified contract for a symbol (see ContractDirectory); a plain SMART/USD stock by default. */
  contractOf?: (symbol: string) => Contract;
  /** The IB orderRef for an order: ties it to the decision that made it. */
  orderRefOf: (request: OrderRequest) => string;
  /**
   * Where decisions are recorded: an order whose orderRef is `k1:<decision id>` is written
   * pending before it goes out and marked sent after, and a decision already sent (or left
   * pending by an earlier process) is not sent again. A bracket is one decision, its parent's.
   */
  decisions?: Pick<OrderDecisions, "begin" | "markSent" | "markNotSent">;
  log: Logger;
}

interface Outgoing {
  request: OrderRequest;
  transmit: boolean;
  outsideRth?: boolean;
}

export interface SubmitOptions {
  /** false holds the order at TWS until an order sent later with transmit=true releases it. */
  transmit?: boolean;
  outsideRth?: boolean;
}

interface TrackedOrder {
  request: OrderRequest;
  /** Quantity already reported as fills: a status claiming more waits for its fill. */
  filledReported: number;
  acknowledged: boolean;
  finished: boolean;
  deferred: OrderStatusUpdate | undefined;
  lastError: string | undefined;
  /** The last status published, so TWS's repeated orderStatus messages are passed on once. */
  lastPublished: string | undefined;
  /**
   * Settles when the order has gone to TWS (true) or was refused (false). Its modifies and
   * cancels wait for it: one sent before the order itself (still held in a bracket batch, or
   * waiting for its decision to be recorded) would reach TWS first and be undone by the order.
   */
  placed: Promise<boolean>;
  settlePlacement: (sent: boolean) => void;
}

function tracking(request: OrderRequest, filledReported: number, acknowledged: boolean): TrackedOrder {
  let settlePlacement: (sent: boolean) => void = () => undefined;
  const placed = new Promise<boolean>((resolve) => (settlePlacement = resolve));
  return { request, filledReported, acknowledged, finished: false, deferred: undefined, lastError: undefined, lastPublished: undefined, placed, settlePlacement };
}

const QUANTITY_EPSILON = 1e-9;

/**
 * The core's broker port over TWS. Orders are sent under ids taken from the gateway client;
 * its events are turned into core events for the orders this port sent: a fill is reported
 * once, when its commission report arrives, and an order status never runs ahead of the
 * fills it counts.
 */
export class IbkrBroker implements BrokerPort {
  private readonly orders = new Map<number, TrackedOrder>();
  private readonly executions = new Map<string, BrokerExecution>();
  private readonly reported = new Set<string>();
  private readonly listeners = new Set<(event: BrokerEvent) => void>();
  private readonly bracketListeners = new Set<(orders: readonly OrderRequest[]) => void>();
  /** Ids handed out and not yet submitted: while any is outstanding, orders wait to go out as one group. */
  private readonly allocated = new Set<number>();
  private batch: OrderRequest[] = [];
  private flushScheduled = false;
  /** Recorded sends, one after another, so a bracket's children follow their parent's decision. */
  private outbox: Promise<void> = Promise.resolve();
  /** Parents not sent because their decision had gone out before: their children stay home too. */
  private readonly refusedParents = new Set<number>();
  /** Ids handed out while the gateway could give none (negative, never sent): why each cannot go out. */
  private readonly unsendable = new Map<number, string>();
  private nextUnsendableId = -1;
  private readonly detach: Unsubscribe;

  constructor(private readonly options: IbkrBrokerOptions) {
    const { gateway } = options;
    const onStatus = (status: BrokerOrderStatus) => this.onStatus(status);
    const onExecution = (execution: BrokerExecution) => this.onExecution(execution);
    const onCommission = (commission: BrokerCommission) => this.onCommission(commission);
    const onError = (orderId: number, code: number, message: string) => this.onOrderError(orderId, code, message);
    gateway.on("orderStatus", onStatus);
    gateway.on("execution", onExecution);
    gateway.on("commission", onCommission);
    gateway.on("orderError", onError);
    this.detach = () => {
      gateway.off("orderStatus", onStatus);
      gateway.off("execution", onExecution);
      gateway.off("commission", onCommission);
      gateway.off("orderError", onError);
    };
  }

  /**
   * An id from the gateway; while it cannot give one (disconnected, reconciling, shutting down)
   * a local negative id that never goes out, so the order ends refused instead of throwing
   * into whoever decided it (a bar's timer, an event handler).
   */
  nextOrderId(): number {
    let id: number;
    try {
      id = this.options.gateway.allocateOrderId();
    } catch (error) {
      id = this.nextUnsendableId--;
      this.unsendable.set(id, error instanceof Error ? error.message : String(error));
    }
    this.allocated.add(id);
    return id;
  }

  /**
   * An order goes out at once unless ids taken after it are still to be submitted (a bracket
   * reserves its children's ids before sending the parent): then it waits, and the group goes
   * out when its last order arrives, every order but the last with transmit=false, so TWS holds
   * them until the whole group is there. Whatever still waits at the end of the turn goes then.
   * With `transmit` given, the order goes at once as told.
   */
  submit(request: OrderRequest, options: SubmitOptions = {}): void {
    this.orders.set(request.id, tracking(request, 0, false));
    this.allocated.delete(request.id);
    if (options.transmit !== undefined) return this.dispatch([{ request, transmit: options.transmit, outsideRth: options.outsideRth }]);
    this.batch.push(request);
    if (![...this.allocated].some((id) => id > request.id)) return this.flush();
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.allocated.clear();
      this.flush();
    });
  }

  /**
   * Follows an order an earlier process sent and left working (taken over after a restart): its
   * statuses and fills reach the listeners from now on, except the executions in `execIds`,
   * already counted with the `filled` quantity. Modifies and cancels go to it under its id.
   */
  adopt(request: OrderRequest, filled: number, execIds: Iterable<string>): void {
    if (this.orders.has(request.id)) return;
    const adopted = tracking(request, filled, true);
    adopted.settlePlacement(true);
    this.orders.set(request.id, adopted);
    for (const execId of execIds) this.reported.add(execId);
  }

  /** Called with every parent-and-children group once it has been sent. */
  onBracket(listener: (orders: readonly OrderRequest[]) => void): Unsubscribe {
    this.bracketListeners.add(listener);
    return () => this.bracketListeners.delete(listener);
  }

  /**
   * Sent once the order itself has gone out (never before it); a modification that cannot go
   * out is logged and the order stays as the broker has it.
   */
  modify(orderId: number, changes: OrderModification): void {
    const tracked = this.orders.get(orderId);
    if (!tracked) return;
    const previous = tracked.request;
    const modified = applyModification(previous, changes);
    tracked.request = modified;
    void tracked.placed.then((sent) => {
      if (!sent) return;
      try {
        this.send(modified, { orderRef: this.options.orderRefOf(modified), transmit: true });
      } catch (error) {
        if (tracked.request === modified) tracked.request = previous;
        this.options.log.warn({ err: error, orderId }, "order modification not sent");
      }
    });
  }

  /** Sent once the order itself has gone out; an order that was refused has nothing to cancel. */
  cancel(orderId: number): void {
    const tracked = this.orders.get(orderId);
    if (!tracked) return this.options.gateway.cancelOrder(orderId);
    void tracked.placed.then((sent) => {
      if (sent) this.options.gateway.cancelOrder(orderId);
    });
  }

  cancelAll(): void {
    for (const [orderId, tracked] of this.orders) if (!tracked.finished) this.cancel(orderId);
  }

  onEvent(listener: (event: BrokerEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The order as last sent, while this port knows it. */
  request(orderId: number): OrderRequest | undefined {
    return this.orders.get(orderId)?.request;
  }

  /** Resolves when every order submitted so far has been recorded and sent (or refused). */
  settled(): Promise<void> {
    return this.outbox;
  }

  dispose(): void {
    this.detach();
    this.listeners.clear();
  }

  private flush(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    const outgoing = batch.map((request, index) => {
      const root = request.parentId ?? request.id;
      return { request, transmit: !batch.some((later, laterIndex) => laterIndex > index && later.parentId === root) };
    });
    for (const group of groupsByRoot(outgoing)) this.dispatch(group);
  }

  /** Orders sharing one root: sent at once without a decision store, else in turn after recording it. */
  private dispatch(group: Outgoing[]): void {
    const decisions = this.options.decisions;
    if (!decisions) return this.transmitOrRefuse(group);
    this.outbox = this.outbox
      .then(() => this.sendRecorded(group, decisions))
      .catch((error: unknown) => this.options.log.error({ err: error, orderIds: group.map((order) => order.request.id) }, "recording a decision failed"));
  }

  private async sendRecorded(group: Outgoing[], decisions: NonNullable<IbkrBrokerOptions["decisions"]>): Promise<void> {
    const root = group[0].request;
    if (root.parentId !== undefined) {
      if (this.refusedParents.has(root.parentId)) return this.refuse(group, `parent ${root.parentId} was not sent`);
      return this.transmitOrRefuse(group);
    }
    const decisionId = decisionIdOf(this.options.orderRefOf(root));
    if (!decisionId) return this.transmitOrRefuse(group);
    const begun = await decisions.begin({ decisionId, symbol: root.symbol, side: root.side, quantity: root.quantity });
    if (begun.status === "sent" || (begun.status === "pending" && begun.seenBefore)) {
      this.refusedParents.add(root.id);
      const why = begun.status === "sent" ? `already sent as order ${begun.orderId}` : "still pending from an earlier run until a reconcile settles it";
      return this.refuse(group, `decision ${decisionId} ${why}`);
    }
    try {
      this.transmitGroup(group);
    } catch (error) {
      await decisions.markNotSent(decisionId);
      this.refusedParents.add(root.id);
      return this.refuse(group, `not sent: ${(error as Error).message}`);
    }
    await decisions.markSent(decisionId, root.id);
  }

  /** Sends without a decision to record: an order that cannot go out ends refused, nothing is thrown. */
  private transmitOrRefuse(group: Outgoing[]): void {
    try {
      this.transmitGroup(group);
    } catch (error) {
      this.refusedParents.add(group[0].request.parentId ?? group[0].request.id);
      // After the submit returns, as a broker's answer would come.
      queueMicrotask(() => this.refuse(group, `not sent: ${(error as Error).message}`));
    }
  }

  private transmitGroup(group: Outgoing[]): void {
    for (const { request, transmit, outsideRth } of group) {
      this.send(request, { orderRef: this.options.orderRefOf(request), transmit, outsideRth });
      this.orders.get(request.id)?.settlePlacement(true);
    }
    for (const bracket of bracketsIn(group.map((order) => order.request))) for (const listener of this.bracketListeners) listener(bracket);
  }

  /** Orders that will not go out end, for whoever waits on them, as Inactive with the reason. */
  private refuse(group: Outgoing[], reason: string): void {
    this.options.log.warn({ orderIds: group.map((order) => order.request.id), reason }, "order not sent");
    for (const { request } of group) {
      const tracked = this.orders.get(request.id);
      if (tracked) Object.assign(tracked, { acknowledged: true, finished: true, lastError: reason });
      tracked?.settlePlacement(false);
      this.publish({ type: "status", update: { orderId: request.id, status: "Inactive", filled: 0, remaining: request.quantity, reason } });
    }
  }

  private send(request: OrderRequest, options: IbOrderOptions): void {
    const unsendable = this.unsendable.get(request.id);
    if (unsendable !== undefined) throw new Error(unsendable);
    const contract = this.options.contractOf?.(request.symbol) ?? (stockContract(request.symbol) as Contract);
    this.options.gateway.placeOrderWithId(request.id, contract, toIbOrder(request, options));
  }

  private onStatus(raw: BrokerOrderStatus): void {
    const tracked = this.orders.get(raw.orderId);
    const status = coreStatusOf(raw.status);
    if (!tracked || !status) return;
    tracked.acknowledged = true;
    const terminal = status === "Cancelled" || status === "Inactive";
    tracked.finished = terminal || status === "Filled";
    const update: OrderStatusUpdate = { orderId: raw.orderId, status, filled: raw.filled, remaining: raw.remaining, reason: terminal ? tracked.lastError : undefined };
    if (raw.filled > tracked.filledReported + QUANTITY_EPSILON) {
      tracked.deferred = update;
      return;
    }
    this.publishStatus(tracked, update);
  }

  private publishStatus(tracked: TrackedOrder, update: OrderStatusUpdate): void {
    const key = `${update.status}|${update.filled}|${update.remaining}`;
    if (key === tracked.lastPublished) return;
    tracked.lastPublished = key;
    this.publish({ type: "status", update });
  }

  private onExecution(execution: BrokerExecution): void {
    if (!this.orders.has(execution.orderId) || this.reported.has(execution.execId)) return;
    this.executions.set(execution.execId, execution);
  }

  private onCommission(commission: BrokerCommission): void {
    const execution = this.executions.get(commission.execId);
    if (!execution || this.reported.has(commission.execId)) return;
    this.executions.delete(commission.execId);
    this.reported.add(commission.execId);
    const tracked = this.orders.get(execution.orderId)!;
    tracked.filledReported += execution.shares;
    const fill: Fill = {
      orderId: execution.orderId,
      execId: execution.execId,
      symbol: tracked.request.symbol,
      side: execution.side,
      quantity: execution.shares,
      price: execution.price,
      commission: Math.abs(commission.commission),
      time: execution.executedAt.getTime(),
    };
    this.publish({ type: "fill", fill });
    const deferred = tracked.deferred;
    if (deferred && deferred.filled <= tracked.filledReported + QUANTITY_EPSILON) {
      tracked.deferred = undefined;
      this.publishStatus(tracked, deferred);
    }
  }

  private onOrderError(orderId: number, code: number, message: string): void {
    const tracked = this.orders.get(orderId);
    if (!tracked) return;
    tracked.lastError = `${code}: ${message}`;
    this.options.log.warn({ orderId, code, message }, "order error from the broker");
    // A modify that TWS refuses leaves the order working; a new order it refuses is dead.
    if (orderErrorMeaning(code) !== "rejected" || tracked.acknowledged) return;
    tracked.acknowledged = true;
    tracked.finished = true;
    this.publishStatus(tracked, { orderId, status: "Inactive", filled: 0, remaining: tracked.request.quantity, reason: tracked.lastError });
  }

  private publish(event: BrokerEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.options.log.error({ err: error, event }, "a broker event listener failed");
      }
    }
  }
}

/** Orders grouped by the order they hang from (their parent, or themselves), in first-seen order. */
function groupsByRoot(orders: readonly Outgoing[]): Outgoing[][] {
  const groups = new Map<number, Outgoing[]>();
  for (const order of orders) {
    const root = order.request.parentId ?? order.request.id;
    groups.set(root, [...(groups.get(root) ?? []), order]);
  }
  return [...groups.values()];
}

/** Parents with their children, among orders sent together. */
function bracketsIn(batch: readonly OrderRequest[]): OrderRequest[][] {
  const groups: OrderRequest[][] = [];
  for (const parent of batch) {
    const children = batch.filter((order) => order.parentId === parent.id);
    if (children.length > 0) groups.push([parent, ...children]);
  }
  return groups;
}
