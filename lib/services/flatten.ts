import { randomUUID } from "node:crypto";
import type { EventEmitter } from "node:events";
import { isWorkingStatus, type BrokerPosition } from "@/lib/adapters/ibkr/mapping";
import type { ConnectionState, Quote } from "@/lib/adapters/ibkr/gateway-client";
import { defineInstrument } from "@/lib/core/model/instrument";
import type { Side } from "@/lib/core/model/order";
import { roundPrice } from "@/lib/core/model/rounding";
import type { AccountViewEvents, OrderRow } from "./account-view";
import type { AuditEvent, AuditSource } from "./audit";

export interface CloseOrderSpec {
  symbol: string;
  side: Side;
  quantity: number;
  orderRef?: string;
  urgent?: boolean;
}

/** Open-order listing events, so orders placed by other clients (whose statuses never reach us) can be seen gone. */
export interface OpenOrderListing {
  on(event: "openOrder", listener: (order: { orderId: number; symbol: string }) => void): unknown;
  on(event: "openOrderEnd", listener: () => void): unknown;
  on(event: "orderStatus", listener: (status: { orderId: number; status: string }) => void): unknown;
  on(event: "orderError", listener: (orderId: number, code: number, message: string) => void): unknown;
  off(event: "openOrder", listener: (order: { orderId: number; symbol: string }) => void): unknown;
  off(event: "openOrderEnd", listener: () => void): unknown;
  off(event: "orderStatus", listener: (status: { orderId: number; status: string }) => void): unknown;
  off(event: "orderError", listener: (orderId: number, code: number, message: string) => void): unknown;
}

/** What flatten needs from the broker connection. */
export interface FlattenBroker extends Partial<OpenOrderListing> {
  cancelAllOrders(): void;
  cancelOrder?(orderId: number): void;
  requestOpenOrders(): void;
  requestPositions(): void;
  placeMarketOrder(spec: CloseOrderSpec): Promise<number>;
  /** Marketable limit orders for closing outside regular hours. */
  placeLimitOrder?(spec: CloseOrderSpec & { limitPrice: number; outsideRth: boolean }): Promise<number>;
}

/** What flatten needs to see of the account. */
export interface FlattenView extends Pick<EventEmitter<AccountViewEvents>, "on" | "off"> {
  workingOrders(): OrderRow[];
  openPositions(): BrokerPosition[];
}

export interface FlattenRequest {
  actor: string;
  source: AuditSource;
  ip?: string | null;
}

export interface FlattenResult {
  id: string;
  status: "flat" | "incomplete";
  /** The symbol a one-symbol flatten closed; absent for the whole account. */
  symbol?: string;
  startedAt: string;
  finishedAt: string;
  ordersCancelled: number;
  closingOrders: { orderId: number; symbol: string; side: Side; quantity: number; limitPrice?: number }[];
  remaining: { symbol: string; quantity: number }[];
  message: string;
}

export interface CancelOrderResult {
  readonly cancelled: boolean;
  readonly message: string;
}

export interface FlattenOptions {
  broker: FlattenBroker;
  view: FlattenView;
  audit: (event: AuditEvent) => Promise<void>;
  now: () => number;
  /** Whether the regular session is open now: market orders then, marketable limits otherwise. Default: always. */
  regularHours?: () => boolean;
  /** Whether orders can go out now (connected and reconciled); otherwise tracked from the view's connection events. */
  connected?: () => boolean;
  tickSize?: (symbol: string) => number;
  /** How far through the touch a marketable limit is priced, in percent (default 1). */
  limitBufferPct?: number;
  cancelTimeoutMs?: number;
  flatTimeoutMs?: number;
  closeAttempts?: number;
  /** The whole flatten gives up (and reports what is left) after this long; default 2 minutes. */
  deadlineMs?: number;
  /** Delays between audit write attempts; the audit never holds the flatten up. */
  auditRetryDelaysMs?: readonly number[];
  onAuditFailure?: (error: unknown, event: AuditEvent) => void;
}

type Scope = { symbol?: string };

const SETTLE_GRACE_MS = 750;
const POLL_MS = 100;

/** Broker errors that end an order: rejected, cancelled, bad price increment, duplicate id, unknown contract. */
const ORDER_REFUSED_CODES = new Set([103, 110, 200, 201, 202, 203]);
type ClosingOrder = FlattenResult["closingOrders"][number];

/** Cancel errors: unknown order (also another client's order) and an order no longer cancellable. */
const CANCEL_REFUSED_CODES = new Set([10147, 10148, 161]);

class ConnectionLost extends Error {}

/**
 * Cancel every order, close every position, and check that the account is flat.
 * A second request while one runs joins it rather than sending more orders.
 */
export class FlattenService {
  private running: Promise<FlattenResult> | null = null;
  private readonly runningBySymbol = new Map<string, Promise<FlattenResult>>();
  private readonly quotes = new Map<string, Quote>();
  private connection: ConnectionState = "connected";
  /** Our closing orders, and those of them the broker has reported done (filled, cancelled, rejected). */
  private readonly closing = new Set<number>();
  private readonly doneOrders = new Set<number>();
  private readonly refusals = new Map<number, string>();

  constructor(private readonly options: FlattenOptions) {
    options.broker.on?.("orderStatus", ({ orderId, status }) => {
      if (this.closing.has(orderId) && !isWorkingStatus(status)) this.doneOrders.add(orderId);
    });
    options.broker.on?.("orderError", (orderId, code, message) => {
      if (!this.closing.has(orderId) || !ORDER_REFUSED_CODES.has(code)) return;
      this.doneOrders.add(orderId);
      this.refusals.set(orderId, `${code} ${message}`);
    });
    options.view.on("quote", (quote) => this.quotes.set(quote.symbol, quote));
    options.view.on("connection", (state) => {
      this.connection = state;
    });
  }

  flattenAll(request: FlattenRequest): Promise<FlattenResult> {
    this.running ??= this.run(request, {}).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Closes one symbol; joins a running flatten of everything or of the same symbol. */
  flattenSymbol(request: FlattenRequest, symbol: string): Promise<FlattenResult> {
    if (this.running) return this.running;
    const existing = this.runningBySymbol.get(symbol);
    if (existing) return existing;
    const run = this.run(request, { symbol }).finally(() => this.runningBySymbol.delete(symbol));
    this.runningBySymbol.set(symbol, run);
    return run;
  }

  /** reqGlobalCancel and wait for the acknowledgements; resolves with how many working orders there were. */
  async cancelAll(request: FlattenRequest): Promise<{ ordersCancelled: number; remaining: number }> {
    const before = this.working({}).length;
    const left = await this.cancelOrders({}, this.options.now() + (this.options.cancelTimeoutMs ?? 5_000));
    this.auditInBackground({ ...auditWho(request), action: "cancel_all_orders", result: left === 0 ? "ok" : "incomplete", details: { before, left } });
    return { ordersCancelled: before - left, remaining: left };
  }

  /** Cancels one working order of ours; TWS refuses one-by-one cancels of another client's orders (10147). */
  async cancelOrder(request: FlattenRequest, orderId: number): Promise<CancelOrderResult> {
    const result = await this.cancelOne(orderId);
    this.auditInBackground({ ...auditWho(request), action: "cancel_order", result: result.cancelled ? "ok" : "refused", details: { orderId, message: result.message } });
    return result;
  }

  get inProgress(): boolean {
    return this.running !== null || this.runningBySymbol.size > 0;
  }

  private async run(request: FlattenRequest, scope: Scope): Promise<FlattenResult> {
    const { now } = this.options;
    const id = randomUUID();
    const startedAt = new Date(now()).toISOString();
    const deadline = now() + (this.options.deadlineMs ?? 120_000);
    const ordersCancelled = this.working(scope).length;
    const closingOrders: ClosingOrder[] = [];
    const failures: string[] = [];
    try {
      await this.waitForConnection(deadline);
      const uncancelled = await this.cancelOrders(scope, Math.min(deadline, now() + (this.options.cancelTimeoutMs ?? 5_000)));
      if (uncancelled > 0) failures.push(`${uncancelled} working order(s) could not be cancelled (orders of another client cannot be cancelled one by one; use cancel all).`);
      await this.closePositions(id, scope, deadline, closingOrders, failures);
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
    for (const order of closingOrders) {
      const refusal = this.refusals.get(order.orderId);
      if (refusal) failures.push(`${order.symbol} close ${order.orderId} refused: ${refusal}`);
      this.closing.delete(order.orderId);
      this.doneOrders.delete(order.orderId);
      this.refusals.delete(order.orderId);
    }
    const remaining = this.positions(scope).map(({ symbol, quantity }) => ({ symbol, quantity }));
    const status = remaining.length === 0 ? "flat" : "incomplete";
    const result: FlattenResult = {
      id,
      status,
      ...(scope.symbol ? { symbol: scope.symbol } : {}),
      startedAt,
      finishedAt: new Date(now()).toISOString(),
      ordersCancelled,
      closingOrders,
      remaining,
      message: describe(status, remaining, failures),
    };
    this.auditInBackground({
      ...auditWho(request),
      action: scope.symbol ? "flatten_symbol" : "flatten_all",
      result: status,
      details: { id, symbol: scope.symbol ?? null, ordersCancelled, closingOrders, remaining, failures },
    });
    return result;
  }

  /** Cancels (globally, or order by order for one symbol) and waits until none in scope is working. */
  private async cancelOrders(scope: Scope, until: number): Promise<number> {
    const { broker } = this.options;
    await this.waitForConnection(until);
    if (this.working(scope).length === 0) return 0;
    if (scope.symbol && broker.cancelOrder) for (const order of this.working(scope)) broker.cancelOrder(order.orderId);
    else broker.cancelAllOrders();
    // The listing goes out right behind the cancel, so it already shows what the cancel left; orders of
    // other clients never get a status to us, and the listing is how their cancellation is seen.
    let stillListed: number | null = null;
    while (this.options.now() < until) {
      const listed = await this.listOpenOrders(Math.max(0, until - this.options.now()));
      if (listed) stillListed = [...listed.values()].filter((symbol) => !scope.symbol || symbol === scope.symbol).length;
      if (stillListed === 0 || this.working(scope).length === 0) return 0;
      if (await this.waitFor(() => this.working(scope).length === 0, Math.min(500, until - this.options.now()))) return 0;
    }
    return stillListed ?? this.working(scope).length;
  }

  /** Close orders against every position in scope, round after round, until flat or out of attempts. */
  private async closePositions(id: string, scope: Scope, deadline: number, sent: ClosingOrder[], failures: string[]): Promise<void> {
    const attempts = this.options.closeAttempts ?? 3;
    let attempt = 0;
    while (attempt < attempts && this.positions(scope).length > 0 && this.options.now() < deadline) {
      try {
        await this.waitForConnection(deadline);
        if (attempt > 0 || sent.length > 0) await this.prepareRetry(scope, sent, deadline);
        attempt++;
        const before = sent.length;
        await this.sendCloses(id, scope, sent, failures);
        await this.waitForRound(scope, sent.slice(before), deadline);
      } catch (error) {
        if (!(error instanceof ConnectionLost)) throw error;
        // A dropped socket is not a failed attempt: wait for the reconnect and go again.
        attempt = Math.max(0, attempt - 1);
      }
    }
  }

  /** Until flat; or, once every close of the round is done at the broker, a short grace for the position updates. */
  private async waitForRound(scope: Scope, round: readonly ClosingOrder[], deadline: number): Promise<void> {
    const timeout = Math.min(this.options.flatTimeoutMs ?? 10_000, deadline - this.options.now());
    const flat = () => this.positions(scope).length === 0;
    const settled = () => round.length > 0 && round.every((order) => this.doneOrders.has(order.orderId));
    if (await this.waitFor(() => flat() || settled(), timeout, true)) {
      if (!flat()) await this.waitFor(flat, Math.min(SETTLE_GRACE_MS, deadline - this.options.now()), true);
    }
  }

  /** Before a retry: our closing orders still working are cancelled, and positions are re-read. */
  private async prepareRetry(scope: Scope, sent: readonly ClosingOrder[], deadline: number): Promise<void> {
    const { broker } = this.options;
    const ours = new Set(sent.map((order) => order.orderId));
    const stillWorking = this.working(scope).filter((order) => ours.has(order.orderId));
    if (stillWorking.length > 0) {
      if (broker.cancelOrder) for (const order of stillWorking) broker.cancelOrder(order.orderId);
      else broker.cancelAllOrders();
      await this.waitFor(() => !this.working(scope).some((order) => ours.has(order.orderId)), Math.min(3_000, deadline - this.options.now()), true);
    }
    broker.requestPositions();
    await this.waitForEvent("positions", Math.min(2_000, deadline - this.options.now()));
  }

  /** Sends one close per position in scope into `sent`; throws ConnectionLost if the socket drops meanwhile. */
  private async sendCloses(id: string, scope: Scope, sent: ClosingOrder[], failures: string[]): Promise<void> {
    const regular = this.options.regularHours?.() ?? true;
    let lost = false;
    await Promise.all(
      this.positions(scope).map(async (position) => {
        try {
          const order = await this.sendClose(id, position, regular);
          this.closing.add(order.orderId);
          sent.push(order);
        } catch (error) {
          if (!this.isConnected()) lost = true;
          else failures.push(`${position.symbol}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
    );
    if (lost) throw new ConnectionLost();
  }

  private async sendClose(id: string, position: BrokerPosition, regularHours: boolean): Promise<ClosingOrder> {
    const { broker } = this.options;
    const side: Side = position.quantity > 0 ? "SELL" : "BUY";
    const spec = { symbol: position.symbol, side, quantity: Math.abs(position.quantity), orderRef: `flatten:${id}`, urgent: true };
    if (regularHours || !broker.placeLimitOrder) return { ...spec, orderId: await broker.placeMarketOrder(spec) };
    const limitPrice = this.marketableLimit(position.symbol, side);
    if (limitPrice === null) throw new Error(`no bid, ask or last price to price a closing limit order outside regular hours`);
    return { ...spec, limitPrice, orderId: await broker.placeLimitOrder({ ...spec, limitPrice, outsideRth: true }) };
  }

  /** Through the touch by the buffer, rounded to tick in the marketable direction (sells down, buys up). */
  marketableLimit(symbol: string, side: Side): number | null {
    const quote = this.quotes.get(symbol);
    const touch = side === "SELL" ? (quote?.bid ?? quote?.last) : (quote?.ask ?? quote?.last);
    if (touch === null || touch === undefined || !(touch > 0)) return null;
    const buffer = (this.options.limitBufferPct ?? 1) / 100;
    const raw = side === "SELL" ? touch * (1 - buffer) : touch * (1 + buffer);
    const instrument = defineInstrument({ symbol, tickSize: this.options.tickSize?.(symbol) ?? 0.01 });
    return roundPrice(instrument, raw, side === "SELL" ? "down" : "up");
  }

  private positions(scope: Scope): BrokerPosition[] {
    return this.options.view.openPositions().filter((position) => !scope.symbol || position.symbol === scope.symbol);
  }

  private async cancelOne(orderId: number): Promise<CancelOrderResult> {
    const { broker, now } = this.options;
    const order = this.working({}).find((row) => row.orderId === orderId);
    if (!order) return { cancelled: false, message: `Order ${orderId} is not working (filled, cancelled or unknown).` };
    if (!broker.cancelOrder) return { cancelled: false, message: "This broker connection cannot cancel a single order; use Cancel all orders." };
    const until = now() + (this.options.cancelTimeoutMs ?? 5_000);
    await this.waitForConnection(until);
    let refusal: string | null = null;
    const onError = (id: number, code: number, message: string) => {
      if (id === orderId && CANCEL_REFUSED_CODES.has(code)) refusal = `${code} ${message}`;
    };
    broker.on?.("orderError", onError);
    try {
      broker.cancelOrder(orderId);
      const gone = () => refusal !== null || !this.working({}).some((row) => row.orderId === orderId);
      await this.waitFor(gone, Math.max(0, until - now()));
    } finally {
      broker.off?.("orderError", onError);
    }
    const label = `${order.side} ${order.quantity} ${order.symbol} (order ${orderId})`;
    if (refusal) return { cancelled: false, message: `${label} was not cancelled: ${refusal}. An order placed by another client (TWS or another API client) cannot be cancelled one by one; use Cancel all orders.` };
    if (this.working({}).some((row) => row.orderId === orderId)) return { cancelled: false, message: `${label} is still working; the broker did not confirm the cancel in time.` };
    return { cancelled: true, message: `${label} cancelled.` };
  }

  private working(scope: Scope): OrderRow[] {
    return this.options.view.workingOrders().filter((order) => !scope.symbol || order.symbol === scope.symbol);
  }

  private isConnected(): boolean {
    return this.options.connected?.() ?? this.connection === "connected";
  }

  private async waitForConnection(until: number): Promise<void> {
    if (this.isConnected()) return;
    await this.waitFor(() => this.isConnected(), Math.max(0, until - this.options.now()));
    if (!this.isConnected()) throw new Error("the broker stayed disconnected");
  }

  /** The working orders a fresh reqAllOpenOrders lists (id -> symbol), or null when the listing did not finish in time. */
  private listOpenOrders(timeoutMs: number): Promise<Map<number, string> | null> {
    const { broker } = this.options;
    if (!broker.on || !broker.off) return Promise.resolve(null);
    const on = broker.on.bind(broker);
    const off = broker.off.bind(broker);
    return new Promise((resolve) => {
      const listed = new Map<number, string>();
      const onOrder = (order: { orderId: number; symbol: string }) => listed.set(order.orderId, order.symbol);
      const finish = (result: Map<number, string> | null) => {
        clearTimeout(timer);
        off("openOrder", onOrder);
        off("openOrderEnd", onEnd);
        resolve(result);
      };
      const onEnd = () => finish(listed);
      const timer = setTimeout(() => finish(null), Math.min(timeoutMs, 2_000));
      on("openOrder", onOrder);
      on("openOrderEnd", onEnd);
      broker.requestOpenOrders();
    });
  }

  private waitForEvent(event: "positions", timeoutMs: number): Promise<void> {
    const { view } = this.options;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        view.off(event, done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      view.on(event, done);
    });
  }

  /** Resolves true when `condition` holds, false on timeout; with `failOnDisconnect`, rejects when the connection drops. */
  private waitFor(condition: () => boolean, timeoutMs: number, failOnDisconnect = false): Promise<boolean> {
    const { view } = this.options;
    if (condition()) return Promise.resolve(true);
    if (failOnDisconnect && !this.isConnected()) return Promise.reject(new ConnectionLost());
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition()) finish(() => resolve(true));
      };
      const onConnection = (state: ConnectionState) => {
        if (state === "disconnected" && failOnDisconnect) finish(() => reject(new ConnectionLost()));
        else check();
      };
      const timer = setTimeout(() => finish(() => resolve(condition())), Math.max(0, timeoutMs));
      // Some changes (a reconcile finishing, a fill's position) come without a view event: look again now and then.
      const poll = setInterval(check, POLL_MS);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        clearInterval(poll);
        view.off("positions", check);
        view.off("orders", check);
        view.off("connection", onConnection);
        settle();
      };
      view.on("positions", check);
      view.on("orders", check);
      view.on("connection", onConnection);
    });
  }

  private auditInBackground(event: AuditEvent): void {
    auditInBackground(this.options.audit, event, this.options.auditRetryDelaysMs, this.options.onAuditFailure);
  }
}

/** The audit row is written after the fact and retried: a database outage never holds a control up. */
export function auditInBackground(
  audit: (event: AuditEvent) => Promise<void>,
  event: AuditEvent,
  delaysMs?: readonly number[],
  onFailure?: (error: unknown, event: AuditEvent) => void,
): void {
  retryInBackground(() => audit(event), delaysMs, (error) => onFailure?.(error, event));
}

/** Runs `task` now and, while it fails, again after each delay; reports the last failure. Never awaited. */
export function retryInBackground(task: () => Promise<void>, delaysMs: readonly number[] = [1_000, 5_000, 30_000], onFailure?: (error: unknown) => void): void {
  const attempt = (index: number): void => {
    task().catch((error: unknown) => {
      if (index >= delaysMs.length) return onFailure?.(error);
      setTimeout(() => attempt(index + 1), delaysMs[index]).unref?.();
    });
  };
  attempt(0);
}

function auditWho(request: FlattenRequest): Pick<AuditEvent, "actor" | "source" | "ip"> {
  return { actor: request.actor, source: request.source, ip: request.ip ?? null };
}

function describe(status: FlattenResult["status"], remaining: FlattenResult["remaining"], failures: readonly string[]): string {
  if (status === "flat" && failures.length === 0) return "All orders cancelled and every position closed.";
  if (status === "flat") return ["Every position closed.", ...failures].join(" ");
  const left = remaining.map((position) => `${position.symbol} ${position.quantity}`).join(", ");
  return [left ? `Still open: ${left}.` : null, ...failures].filter(Boolean).join(" ");
}

type GatewayLike = FlattenBroker &
  OpenOrderListing & {
    placeLimitOrder(spec: CloseOrderSpec & { limitPrice: number; outsideRth: boolean }): Promise<number>;
    cancelOrder(orderId: number): void;
  };

/** Flatten's view of the gateway client; every close, market or marketable limit, goes in the urgent lane. */
export function gatewayFlattenBroker(client: GatewayLike): FlattenBroker {
  return {
    cancelAllOrders: () => client.cancelAllOrders(),
    cancelOrder: (orderId) => client.cancelOrder(orderId),
    requestOpenOrders: () => client.requestOpenOrders(),
    requestPositions: () => client.requestPositions(),
    placeMarketOrder: (spec) => client.placeMarketOrder(spec),
    placeLimitOrder: (spec) => client.placeLimitOrder(spec),
    on: client.on.bind(client),
    off: client.off.bind(client),
  };
}
