import { EventEmitter } from "node:events";
import { EventName, IBApi, type BarSizeSetting, type Contract, type ContractDetails, type Order, type WhatToShow } from "@stoqey/ib";
import type { Logger } from "pino";
import {
  stockContract,
  toBrokerCommission,
  toBrokerExecution,
  toBrokerOrder,
  toBrokerOrderStatus,
  toBrokerPosition,
  type BrokerCommission,
  type BrokerExecution,
  type BrokerOrder,
  type BrokerOrderStatus,
  type BrokerPosition,
} from "./mapping";
import type { Side } from "@/lib/core/model/order";
import { classifyNotice, FarmStates, type ConnectionNotice } from "./notices";
import { OutgoingPacer, type Lane } from "./pacing";
import { Entitlements, type Entitlement } from "./entitlements";
import { MemoryOrderIds, OrderIdsNotReservedError, type OrderIdSource } from "./order-ids";
import { clientIdAfterConflicts, reconnectDelayMs } from "./client-ids";
import { executionFilterTime, toBrokerCompletedOrder, type BrokerCompletedOrder, type ReconcileResult, type ReconcileSnapshot } from "./reconcile";
import { resetWindowAt } from "./reset-windows";
import { withTimeout } from "@/lib/adapters/timeout";

export type ConnectionState = "disconnected" | "connecting" | "connected";

export interface Quote {
  symbol: string;
  bid: number | null;
  ask: number | null;
  last: number | null;
  volume: number | null;
}

export interface GatewayEvents {
  connection: [state: ConnectionState];
  notice: [notice: ConnectionNotice];
  accounts: [accounts: string[]];
  accountValue: [key: string, value: string, currency: string, account: string];
  accountDownloadEnd: [account: string];
  position: [position: BrokerPosition];
  positionEnd: [];
  openOrder: [order: BrokerOrder];
  openOrderEnd: [];
  completedOrder: [order: BrokerCompletedOrder];
  completedOrdersEnd: [];
  orderStatus: [status: BrokerOrderStatus];
  execution: [execution: BrokerExecution];
  executionsEnd: [reqId: number];
  /** Reconcile after a (re)connect finished (or failed); orders may go out once `ok`. */
  reconciled: [result: ReconcileResult];
  commission: [commission: BrokerCommission];
  quote: [quote: Quote];
  orderError: [orderId: number, code: number, message: string];
  /** A trade print (tick type last or delayed last) for a subscribed symbol. */
  lastTrade: [symbol: string, price: number];
  /** An error on a symbol's market-data subscription (354, 10167, 10197, ...). */
  marketDataError: [symbol: string, code: number, message: string];
  contractDetails: [reqId: number, details: ContractDetails];
  contractDetailsEnd: [reqId: number];
  historicalBar: [reqId: number, bar: HistoricalBarRow];
  historicalEnd: [reqId: number];
  malformed: [error: Error];
}

/** One historical bar as TWS sends it: `time` is its text timestamp (formatDate 2: epoch seconds). */
export interface HistoricalBarRow {
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface HistoricalRequest {
  contract: Contract;
  /** `yyyyMMdd-HH:mm:ss` UTC, or "" for now. */
  endDateTime: string;
  duration: string;
  barSize: BarSizeSetting;
  whatToShow: WhatToShow;
  useRth: boolean;
}

export interface GatewayClientOptions {
  host: string;
  port: number;
  clientId: number;
  log: Logger;
  /** The gateway's time zone, for execution timestamps that carry none. */
  timeZone?: string;
  reconnectDelaysMs?: { initial: number; max: number };
  /** Outgoing messages per second (TWS drops a client above 50). */
  messagesPerSecond?: number;
  /** Order ids; give a persisted source ({@link PostgresOrderIds}) wherever real orders are sent. */
  orderIds?: OrderIdSource;
  /** The time of the last execution already on record, so a reconcile asks only for later ones. */
  lastExecutionTime?: () => Promise<Date | null>;
  /** Runs with what the broker reported during a reconcile; returns discrepancies found, in words. */
  onReconcile?: (snapshot: ReconcileSnapshot) => Promise<string[]>;
  reconcileTimeoutMs?: number;
  now?: () => number;
}

export interface MarketOrderSpec {
  symbol: string;
  side: Side;
  quantity: number;
  orderRef?: string;
  /** Flatten and protective orders go ahead of everything else queued. */
  urgent?: boolean;
}

export interface LimitOrderSpec extends MarketOrderSpec {
  limitPrice: number;
  outsideRth: boolean;
}

/**
 * TWS reports request errors and order errors with one id field, so request ids start far
 * above any order id this client will use and the two can never be confused.
 */
const FIRST_REQUEST_ID = 1 << 30;

const TICK_FIELD = { bid: [1, 66], ask: [2, 67], last: [4, 68], volume: [8, 74] } as const;
type QuoteField = keyof typeof TICK_FIELD;
/** The quote field each tick type fills (live and delayed), looked up once per tick. */
const QUOTE_FIELD_OF_TICK = new Map<number, QuoteField>(
  (Object.entries(TICK_FIELD) as [QuoteField, readonly number[]][]).flatMap(([name, fields]) => fields.map((field) => [field, name] as const)),
);

/**
 * A thin wrapper over the real `@stoqey/ib` client: connects, reconnects with backoff,
 * turns broker callbacks into validated domain records, and sends orders.
 */
export class GatewayClient extends EventEmitter<GatewayEvents> {
  private api: IBApi | null = null;
  private state: ConnectionState = "disconnected";
  private nextRequestId = FIRST_REQUEST_ID;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAttempt = 0;
  private stopped = true;
  private readonly quoteRequests = new Map<number, Quote>();
  private readonly subscribedSymbols = new Set<string>();
  /** Orders sent under a known id whose placeOrder still waits in the pacer's queue. */
  private readonly queuedPlacements = new Set<number>();
  private account = "";
  private readonly pacer: OutgoingPacer;
  private readonly orderIds: OrderIdSource;
  private clientIdConflicts = 0;
  private clientIdInUse: number;
  private reconciledSession = false;
  private lastReconcileResult: ReconcileResult | null = null;
  private lastExecutionAt: Date | null = null;
  readonly farms = new FarmStates();
  readonly entitlements = new Entitlements();

  constructor(private readonly options: GatewayClientOptions) {
    super();
    this.pacer = new OutgoingPacer({ perSecond: options.messagesPerSecond ?? 45 });
    this.orderIds = options.orderIds ?? new MemoryOrderIds();
    this.clientIdInUse = options.clientId;
  }

  /** The client id of the current (or last) connection: the configured one unless 326 forced the next. */
  get clientId(): number {
    return this.clientIdInUse;
  }

  /** Connected and reconciled: new orders may go out. */
  get ready(): boolean {
    return this.state === "connected" && this.reconciledSession;
  }

  get lastReconcile(): ReconcileResult | null {
    return this.lastReconcileResult;
  }

  entitlementOf(symbol: string): Entitlement {
    return this.entitlements.of(symbol);
  }

  /** Messages waiting for their turn under the rate limit, per lane. */
  get queueDepth(): Record<Lane, number> {
    return this.pacer.depth;
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  get managedAccount(): string {
    return this.account;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const api = this.api;
    this.api = null;
    if (api) {
      api.removeAllListeners();
      api.on(EventName.error, () => undefined);
      api.disconnect();
    }
    this.setState("disconnected");
  }

  /** Resolves with the order id once the order has been sent. */
  placeMarketOrder(spec: MarketOrderSpec): Promise<number> {
    const order: Order = {
      action: spec.side as Order["action"],
      orderType: "MKT" as Order["orderType"],
      totalQuantity: spec.quantity,
      tif: "DAY" as Order["tif"],
      transmit: true,
      orderRef: spec.orderRef,
    };
    return this.placeOrder(stockContract(spec.symbol) as Contract, order, spec.urgent ? "urgent" : "normal");
  }

  /** A marketable limit (e.g. a close outside regular hours); its id is taken when it is sent, like a market order's. */
  placeLimitOrder(spec: LimitOrderSpec): Promise<number> {
    const order: Order = {
      action: spec.side as Order["action"],
      orderType: "LMT" as Order["orderType"],
      totalQuantity: spec.quantity,
      lmtPrice: spec.limitPrice,
      tif: "DAY" as Order["tif"],
      outsideRth: spec.outsideRth,
      transmit: true,
      orderRef: spec.orderRef,
    };
    return this.placeOrder(stockContract(spec.symbol) as Contract, order, spec.urgent ? "urgent" : "normal");
  }

  /** Takes an order id now, for orders (brackets) whose ids must be known before they are sent. */
  allocateOrderId(): number {
    this.assertReady();
    return this.orderIds.take();
  }

  /** Sends an order under an id from {@link allocateOrderId}; ids must be sent in the order they were taken. */
  placeOrderWithId(orderId: number, contract: Contract, order: Order): void {
    this.assertReady();
    this.queuedPlacements.add(orderId);
    this.pacer.send("normal", () => {
      this.queuedPlacements.delete(orderId);
      if (this.api && this.state === "connected") this.api.placeOrder(orderId, contract, order);
    });
  }

  /**
   * Cancels go first in line, except behind their own order still waiting in the queue: a
   * cancel that overtook it would reach TWS first and the order would then stay working.
   */
  cancelOrder(orderId: number): void {
    this.request(this.queuedPlacements.has(orderId) ? "normal" : "urgent", (api) => api.cancelOrder(orderId));
  }

  allocateRequestId(): number {
    return this.nextRequestId++;
  }

  /** Answers arrive as contractDetails/contractDetailsEnd (or orderError) under `reqId`. */
  requestContractDetails(reqId: number, contract: Contract): void {
    this.assertConnected();
    this.request("normal", (api) => api.reqContractDetails(reqId, contract));
  }

  /** Answers arrive as historicalBar/historicalEnd (or orderError) under `reqId`. */
  requestHistoricalData(reqId: number, spec: HistoricalRequest): void {
    this.assertConnected();
    this.request("normal", (api) =>
      api.reqHistoricalData(reqId, spec.contract, spec.endDateTime, spec.duration, spec.barSize, spec.whatToShow, spec.useRth, 2, false),
    );
  }

  cancelAllOrders(): void {
    this.assertConnected();
    this.request("urgent", (api) => api.reqGlobalCancel());
  }

  requestOpenOrders(): void {
    this.request("urgent", (api) => api.reqAllOpenOrders());
  }

  /** Orders that ended in the broker's current session; answers end with completedOrdersEnd. */
  requestCompletedOrders(): void {
    this.request("urgent", (api) => api.reqCompletedOrders(false));
  }

  requestPositions(): void {
    this.request("urgent", (api) => api.reqPositions());
  }

  /** Executions since `since` (all of today's when null); answers end with executionsEnd under the returned id. */
  requestExecutions(since: Date | null): number {
    const reqId = this.nextRequestId++;
    const filter = since ? { time: executionFilterTime(since) } : {};
    this.request("urgent", (api) => api.reqExecutions(reqId, filter));
    return reqId;
  }

  requestAccountUpdates(account: string): void {
    this.request("urgent", (api) => api.reqAccountUpdates(true, account));
  }

  subscribeQuotes(symbol: string): void {
    if (this.subscribedSymbols.has(symbol)) return;
    this.subscribedSymbols.add(symbol);
    if (this.state === "connected") this.requestQuotes(symbol);
  }

  /** The id is taken when the order is sent, so ids reach TWS in increasing order whatever the lane. */
  private async placeOrder(contract: Contract, order: Order, lane: Lane): Promise<number> {
    this.assertReady();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sendOrder(contract, order, lane);
      } catch (error) {
        if (!(error instanceof OrderIdsNotReservedError) || attempt >= 3) throw error;
        await this.orderIds.whenReserved();
      }
    }
  }

  private sendOrder(contract: Contract, order: Order, lane: Lane): Promise<number> {
    return new Promise((resolve, reject) => {
      this.pacer.send(lane, () => {
        if (!this.api || !this.ready) return reject(new GatewayUnavailableError());
        try {
          const orderId = this.orderIds.take();
          this.api.placeOrder(orderId, contract, order);
          resolve(orderId);
        } catch (error) {
          reject(error as Error);
        }
      });
    });
  }

  /** Sends through the pacer; a message whose connection is gone by its turn is dropped (the next sync redoes it). */
  private request(lane: Lane, send: (api: IBApi) => void): void {
    this.pacer.send(lane, () => {
      if (this.api && this.state === "connected") send(this.api);
    });
  }

  private assertConnected(): void {
    if (!this.api || this.state !== "connected") throw new GatewayUnavailableError();
  }

  /** Orders wait for the reconcile after each (re)connect, so nothing is sent on a stale picture. */
  private assertReady(): void {
    this.assertConnected();
    if (!this.reconciledSession) throw new GatewayUnavailableError("the broker session is still being reconciled");
  }

  private connect(): void {
    if (this.stopped) return;
    this.reconciledSession = false;
    this.setState("connecting");
    // The client's own limiter is set above ours so that ours, which knows priorities, governs.
    const api = new IBApi({ host: this.options.host, port: this.options.port, maxReqPerSec: 50 });
    this.api = api;
    this.attachListeners(api);
    this.clientIdInUse = clientIdAfterConflicts(this.options.clientId, this.clientIdConflicts);
    api.connect(this.clientIdInUse);
  }

  private attachListeners(api: IBApi): void {
    const { log } = this.options;
    const guarded = <A extends unknown[]>(handler: (...args: A) => void) => (...args: A) => {
      try {
        handler(...args);
      } catch (error) {
        log.warn({ err: error }, "ignored a malformed broker message");
        this.emit("malformed", error as Error);
      }
    };
    api.on(EventName.nextValidId, (orderId: number) => this.onNextValidId(orderId));
    api.on(EventName.disconnected, () => this.onDisconnected());
    api.on(EventName.managedAccounts, (list: string) => this.onManagedAccounts(list));
    api.on(EventName.error, (error: Error, code: number, reqId: number) => this.onError(error, code, reqId));
    api.on(EventName.info, (message: string, code: number) => this.onSystemMessage(code, message));
    api.on(EventName.updateAccountValue, (key: string, value: string, currency: string, account: string) =>
      this.emit("accountValue", key, value, currency, account),
    );
    api.on(EventName.accountDownloadEnd, (account: string) => this.emit("accountDownloadEnd", account));
    api.on(
      EventName.position,
      guarded((account: string, contract: Contract, pos: number, avgCost?: number) =>
        this.emit("position", toBrokerPosition(account, contract, pos, avgCost)),
      ),
    );
    api.on(EventName.positionEnd, () => this.emit("positionEnd"));
    api.on(
      EventName.openOrder,
      guarded((orderId: number, contract: Contract, order: Order, orderState: { status?: string }) => {
        const mapped = toBrokerOrder(orderId, contract, order, orderState.status ?? "Unknown");
        if (mapped.clientId === this.clientIdInUse) this.orderIds.seen(orderId);
        this.emit("openOrder", mapped);
      }),
    );
    api.on(EventName.openOrderEnd, () => this.emit("openOrderEnd"));
    api.on(
      EventName.completedOrder,
      guarded((contract: Contract, order: Order, orderState: unknown) => this.emit("completedOrder", toBrokerCompletedOrder(contract, order, orderState))),
    );
    api.on(EventName.completedOrdersEnd, () => this.emit("completedOrdersEnd"));
    api.on(
      EventName.orderStatus,
      guarded((orderId: number, status: string, filled: number, remaining: number, avgFillPrice: number, permId?: number, parentId?: number, lastFillPrice?: number, clientId?: number, whyHeld?: string) =>
        this.emit("orderStatus", toBrokerOrderStatus({ orderId, status, filled, remaining, avgFillPrice, permId, parentId, lastFillPrice, clientId, whyHeld })),
      ),
    );
    api.on(
      EventName.execDetails,
      guarded((_reqId: number, contract: Contract, execution: unknown) => {
        const mapped = toBrokerExecution(contract, execution, this.options.timeZone ?? "UTC");
        if (mapped.clientId === this.clientIdInUse) this.orderIds.seen(mapped.orderId);
        if (!this.lastExecutionAt || mapped.executedAt > this.lastExecutionAt) this.lastExecutionAt = mapped.executedAt;
        this.emit("execution", mapped);
      }),
    );
    api.on(EventName.execDetailsEnd, (reqId: number) => this.emit("executionsEnd", reqId));
    api.on(EventName.marketDataType, (reqId: number, type: number) => {
      const quote = this.quoteRequests.get(reqId);
      if (quote) this.entitlements.onMarketDataType(quote.symbol, type);
    });
    api.on(EventName.commissionReport, guarded((report: unknown) => this.emit("commission", toBrokerCommission(report))));
    api.on(EventName.tickPrice, (reqId: number, field: number, value: number) => this.onTick(reqId, field, value));
    api.on(EventName.contractDetails, (reqId: number, details: ContractDetails) => this.emit("contractDetails", reqId, details));
    api.on(EventName.contractDetailsEnd, (reqId: number) => this.emit("contractDetailsEnd", reqId));
    api.on(EventName.historicalData, (reqId: number, time: string, open: number, high: number, low: number, close: number, volume: number) => {
      if (time.startsWith("finished")) this.emit("historicalEnd", reqId);
      else this.emit("historicalBar", reqId, { time, open, high, low, close, volume });
    });
    api.on(EventName.tickSize, (reqId: number, field?: number, value?: number) => {
      if (field !== undefined && value !== undefined) this.onTick(reqId, field, value);
    });
  }

  private onNextValidId(orderId: number): void {
    this.orderIds.nextValid(orderId);
    if (this.state === "connected") return;
    this.reconnectAttempt = 0;
    this.clientIdConflicts = 0;
    this.options.log.info({ clientId: this.clientIdInUse, configured: this.options.clientId }, "broker session open");
    this.setState("connected");
    this.resubscribeQuotes();
    void this.reconcile(this.api);
  }

  /**
   * After every (re)connect, before any new order: reserve order ids, then read open orders,
   * executions since the last one on record, positions and the account.
   */
  private async reconcile(api: IBApi | null): Promise<void> {
    const started = Date.now();
    const discrepancies: string[] = [];
    let snapshot: ReconcileSnapshot = { openOrders: [], executions: [], completedOrders: [], positions: 0, askedAt: new Date() };
    try {
      await this.orderIds.prepare(this.account, this.clientIdInUse);
      const since = (await this.options.lastExecutionTime?.()) ?? this.lastExecutionAt;
      snapshot = await fetchBrokerState(this, since, this.options.reconcileTimeoutMs ?? 15_000);
      discrepancies.push(...((await this.options.onReconcile?.(snapshot)) ?? []));
    } catch (error) {
      discrepancies.push(`reconcile failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (api !== this.api || this.state !== "connected") return;
    const failed = discrepancies.some((entry) => entry.startsWith("reconcile failed"));
    this.lastReconcileResult = {
      at: new Date().toISOString(),
      durationMs: Date.now() - started,
      ok: !failed,
      openOrders: snapshot.openOrders.length,
      executions: snapshot.executions.length,
      positions: snapshot.positions,
      discrepancies,
    };
    this.reconciledSession = !failed;
    this.options.log.info(this.lastReconcileResult, "reconciled with the broker");
    this.emit("reconciled", this.lastReconcileResult);
    if (failed) api?.disconnect();
  }

  private resubscribeQuotes(): void {
    this.quoteRequests.clear();
    for (const symbol of this.subscribedSymbols) this.requestQuotes(symbol);
  }

  /** id -1 messages: connection state, farms, and 326 (client id in use). */
  private onSystemMessage(code: number, message: string): void {
    if (code === 326) {
      this.clientIdConflicts++;
      const nextId = clientIdAfterConflicts(this.options.clientId, this.clientIdConflicts);
      this.options.log.warn({ clientId: this.clientIdInUse, nextClientId: nextId }, "client id already in use; retrying");
      return;
    }
    const notice = classifyNotice(code, message);
    this.farms.apply(notice, this.now());
    if (notice.kind === "restored-data-lost") this.resubscribeQuotes();
    if (notice.kind === "connectivity-lost") this.logOutage("connectivity lost (1100)");
    this.emit("notice", notice);
  }

  private logOutage(what: string): void {
    const window = resetWindowAt(this.now());
    if (window) this.options.log.info({ window: window.name }, `${what} inside an IB reset window, as expected`);
    else this.options.log.warn(`${what}`);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private requestQuotes(symbol: string): void {
    const reqId = this.nextRequestId++;
    this.quoteRequests.set(reqId, { symbol, bid: null, ask: null, last: null, volume: null });
    this.request("normal", (api) => api.reqMktData(reqId, stockContract(symbol) as Contract, "", false, false));
  }

  private onManagedAccounts(list: string): void {
    const accounts = list.split(",").map((account) => account.trim()).filter(Boolean);
    const [first] = accounts;
    if (first && first !== this.account) {
      this.account = first;
      if (this.state === "connected") this.request("normal", (api) => api.reqAccountUpdates(true, first));
    }
    this.emit("accounts", accounts);
  }

  private onTick(reqId: number, field: number, value: number): void {
    const quote = this.quoteRequests.get(reqId);
    if (!quote || !Number.isFinite(value) || value < 0) return;
    const key = QUOTE_FIELD_OF_TICK.get(field);
    if (!key) return;
    quote[key] = value;
    this.entitlements.onTick(quote.symbol);
    if (key === "last") this.emit("lastTrade", quote.symbol, value);
    this.emit("quote", { ...quote });
  }

  private onError(error: Error, code: number, reqId: number): void {
    const quote = this.quoteRequests.get(reqId);
    if (quote) {
      this.entitlements.onError(quote.symbol, code);
      this.emit("marketDataError", quote.symbol, code, error.message);
    }
    if (reqId > 0 && code > 0 && !this.quoteRequests.has(reqId)) {
      this.emit("orderError", reqId, code, error.message);
      return;
    }
    this.options.log.warn({ code, reqId, message: error.message }, "broker error");
  }

  private onDisconnected(): void {
    this.reconciledSession = false;
    if (this.state === "connected") this.logOutage("broker socket closed");
    this.setState("disconnected");
    this.api?.removeAllListeners();
    this.api = null;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const { initial, max } = this.options.reconnectDelaysMs ?? { initial: 1_000, max: 60_000 };
    const delay = reconnectDelayMs(this.reconnectAttempt++, initial, max);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    this.options.log.info({ state, host: this.options.host, port: this.options.port }, "broker connection");
    this.emit("connection", state);
  }
}

export class GatewayUnavailableError extends Error {
  constructor(reason = "the broker is not connected") {
    super(`No order can go out: ${reason}; try again once the gateway connection is restored.`);
    this.name = "GatewayUnavailableError";
  }
}

const FILTER_OVERLAP_MS = 24 * 3_600_000;

/**
 * Asks the broker for everything that may have changed while we were away: all open orders,
 * the orders completed in its session, executions since `since`, positions and the account. Resolves when each answer has ended,
 * or rejects after `timeoutMs`. Gateways disagree on the zone of the execution filter's time
 * (UTC or their own), so it asks from a day earlier; the journal drops the duplicates.
 */
async function fetchBrokerState(client: GatewayClient, since: Date | null, timeoutMs: number): Promise<ReconcileSnapshot> {
  const openOrders: BrokerOrder[] = [];
  const executions: BrokerExecution[] = [];
  const completedOrders: BrokerCompletedOrder[] = [];
  let positions = 0;
  const askedAt = new Date();
  const onOrder = (order: BrokerOrder) => openOrders.push(order);
  const onExecution = (execution: BrokerExecution) => executions.push(execution);
  const onCompleted = (order: BrokerCompletedOrder) => completedOrders.push(order);
  const onPosition = () => positions++;
  client.on("openOrder", onOrder);
  client.on("execution", onExecution);
  client.on("completedOrder", onCompleted);
  client.on("position", onPosition);
  try {
    const ordersDone = nextEvent(client, "openOrderEnd");
    const completedDone = nextEvent(client, "completedOrdersEnd");
    const positionsDone = nextEvent(client, "positionEnd");
    const accountDone = client.managedAccount ? nextEvent(client, "accountDownloadEnd") : Promise.resolve();
    client.requestOpenOrders();
    client.requestCompletedOrders();
    const executionsReq = client.requestExecutions(since ? new Date(since.getTime() - FILTER_OVERLAP_MS) : null);
    const executionsDone = nextEvent(client, "executionsEnd", (reqId) => reqId === executionsReq);
    client.requestPositions();
    if (client.managedAccount) client.requestAccountUpdates(client.managedAccount);
    await withTimeout(
      Promise.all([ordersDone, completedDone, executionsDone, positionsDone, accountDone]),
      timeoutMs,
      `the broker did not finish answering within ${timeoutMs} ms`,
    );
    return { openOrders, executions, completedOrders, positions, askedAt };
  } finally {
    client.off("openOrder", onOrder);
    client.off("execution", onExecution);
    client.off("completedOrder", onCompleted);
    client.off("position", onPosition);
  }
}

function nextEvent<K extends "openOrderEnd" | "completedOrdersEnd" | "positionEnd" | "accountDownloadEnd" | "executionsEnd">(
  client: GatewayClient,
  event: K,
  accept: (reqId: number) => boolean = () => true,
): Promise<void> {
  return new Promise((resolve) => {
    const listener = (reqId?: unknown) => {
      if (typeof reqId === "number" && !accept(reqId)) return;
      client.off(event, listener as never);
      resolve();
    };
    client.on(event, listener as never);
  });
}
