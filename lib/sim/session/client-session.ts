/**
 * One API connection: handshake, START_API, and the dispatch of each request to the
 * exchange model, with the per-connection subscriptions that decide what it is sent.
 */
import type { Socket } from "node:net";
import { wallTimeAt } from "@/lib/core/time/zoned-time";
import { FieldFormatError, FieldUnderrunError } from "../wire/fields";
import { encodeFrame, FrameReader, type InboundEvent } from "../wire/framing";
import { IN, parseClientRequest, UnsupportedMessageError, type ClientRequest, type ContractQuery, type ExecutionFilter, type OrderRequest } from "../wire/incoming";
import * as out from "../wire/outgoing";
import { SERVER_VERSION, type Message } from "../wire/outgoing";
import type { Exchange } from "../model/exchange";
import type { Instrument } from "../model/instruments";
import type { Quote } from "../model/market";
import type { CommissionRecord, ExecutionRecord, SimOrder } from "../model/orders";
import { MAX_MESSAGES_PER_SECOND, MessageRateLimiter } from "../model/pacing";
import { accountSummaryValues } from "../model/valuation";
import type { HistoricalDataService, HistoryClient } from "./historical-data";
import { toWireCommission, toWireContract, toWireContractDetails, toWireExecution, toWireOrder, toWireOrderStatus } from "./wire-mapping";

/** What a session needs from the gateway that owns it. */
export interface SessionHost {
  readonly exchange: Exchange;
  readonly accountId: string;
  now(): number;
  /** Claims a client id; returns false when another live session holds it or the gateway is full. */
  claimClientId(session: ClientSession, clientId: number): "ok" | "in-use" | "full";
  release(session: ClientSession): void;
  readonly history: HistoricalDataService;
  /** Enforce the 50 messages/s limit (error 100, disconnect) and historical pacing (162). */
  readonly pacingEnforced: boolean;
  /** Without a live market-data subscription, requests for live data get delayed data and 10167. */
  readonly marketDataEntitled: boolean;
}

export const TICK = {
  BID_SIZE: 0,
  BID: 1,
  ASK: 2,
  ASK_SIZE: 3,
  LAST: 4,
  LAST_SIZE: 5,
  HIGH: 6,
  LOW: 7,
  VOLUME: 8,
  CLOSE: 9,
  OPEN: 14,
  LAST_TIMESTAMP: 45,
} as const;

const ACCOUNT_TIME_ZONE = "US/Eastern";

const FARM_NOTICES: ReadonlyArray<[number, string]> = [
  [2104, "Market data farm connection is OK:usfarm"],
  [2106, "HMDS data farm connection is OK:ushmds"],
  [2158, "Sec-def data farm connection is OK:secdefil"],
];

export const NO_SECURITY_DEFINITION = { code: 200, text: "No security definition has been found for the request" };

interface MarketDataSubscription {
  instrument: Instrument;
  delayed: boolean;
}

export class ClientSession implements HistoryClient {
  readonly reader = new FrameReader();
  serverVersion = 0;
  clientId: number | null = null;
  private started = false;
  private closed = false;
  private corked = false;
  marketDataType = 1;
  readonly marketData = new Map<number, MarketDataSubscription>();
  wantsPositions = false;
  wantsAccountUpdates = false;
  readonly accountUpdatesMulti = new Set<number>();
  readonly pnlRequests = new Set<number>();
  private readonly messageRate = new MessageRateLimiter();

  constructor(
    readonly socket: Socket,
    private readonly host: SessionHost,
  ) {}

  get isReady(): boolean {
    return this.started && !this.closed;
  }

  onData(chunk: Buffer): void {
    for (const event of this.reader.push(chunk)) {
      if (this.closed) return;
      this.onEvent(event);
    }
  }

  send(message: Message): void {
    if (this.closed || this.socket.destroyed) return;
    if (!this.corked) {
      // Batch everything sent in one turn of the event loop into as few TCP writes as possible.
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(encodeFrame(message));
  }

  sendError(id: number, code: number, text: string): void {
    this.send(out.errorMessage(id, code, text));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.release(this);
    this.host.history.forget(this);
    this.socket.end();
    this.socket.destroySoon();
  }

  markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.host.release(this);
    this.host.history.forget(this);
  }

  private onEvent(event: InboundEvent): void {
    switch (event.kind) {
      case "broken":
        // A frame we cannot delimit leaves the stream unusable: TWS drops such a connection.
        this.close();
        return;
      case "handshake":
        this.onHandshake(event.minVersion, event.maxVersion);
        return;
      case "message":
        this.onMessage(event.fields);
    }
  }

  private onHandshake(minVersion: number, maxVersion: number): void {
    if (maxVersion < SERVER_VERSION.MIN_SUPPORTED || minVersion > SERVER_VERSION.MAX_SUPPORTED) {
      this.close();
      return;
    }
    this.serverVersion = Math.min(maxVersion, SERVER_VERSION.MAX_SUPPORTED);
    this.send([String(this.serverVersion), formatConnectionTime(this.host.now())]);
  }

  private onMessage(fields: string[]): void {
    if (this.host.pacingEnforced) {
      const rate = this.messageRate.exceeded(this.host.now());
      if (rate !== null) {
        this.sendError(-1, 100, `Max rate of messages per second has been exceeded:max=${MAX_MESSAGES_PER_SECOND} rec=${rate} (1)`);
        this.close();
        return;
      }
    }
    let request: ClientRequest;
    try {
      request = parseClientRequest(fields, this.serverVersion);
    } catch (error) {
      this.onUnreadableRequest(fields, error);
      return;
    }
    if (!this.started && request.type !== "startApi") {
      this.sendError(-1, 321, "Error validating request.-'cB' : cause - The API client has not been started (START_API expected first)");
      return;
    }
    try {
      this.dispatch(request);
    } catch (error) {
      this.sendError(-1, 321, `Error validating request: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private onUnreadableRequest(fields: readonly string[], error: unknown): void {
    if (error instanceof UnsupportedMessageError) {
      this.sendError(-1, 320, `Error reading request. Message id ${error.messageId} is not supported.`);
      return;
    }
    if (error instanceof FieldUnderrunError || error instanceof FieldFormatError) {
      const requestId = Number(fields[0]) === IN.PLACE_ORDER ? Number(fields[1]) : -1;
      this.sendError(Number.isInteger(requestId) ? requestId : -1, 320, `Error reading request. Message id ${fields[0]}: ${error.message}.`);
      return;
    }
    throw error;
  }

  private dispatch(request: ClientRequest): void {
    const exchange = this.host.exchange;
    switch (request.type) {
      case "startApi":
        return this.onStartApi(request.clientId);
      case "reqMktData":
        return this.onReqMktData(request.reqId, request.contract, request.snapshot);
      case "cancelMktData":
        this.marketData.delete(request.reqId);
        return;
      case "reqMarketDataType":
        return this.onReqMarketDataType(request.marketDataType);
      case "reqContractDetails":
        return this.onReqContractDetails(request.reqId, request.contract);
      case "placeOrder":
        return this.onPlaceOrder(request.orderId, request.contract, request.order);
      case "cancelOrder":
        return exchange.cancelOrder(this.requireClientId(), request.orderId);
      case "reqGlobalCancel":
        return exchange.globalCancel();
      case "reqOpenOrders":
        return this.sendOpenOrders(exchange.openOrders().filter((order) => order.clientId === this.clientId));
      case "reqAllOpenOrders":
        return this.sendOpenOrders(exchange.openOrders());
      case "reqAutoOpenOrders":
        // Orders of client 0 are already routed to client 0; nothing else to bind here.
        return;
      case "reqCompletedOrders":
        return this.sendCompletedOrders();
      case "reqExecutions":
        return this.onReqExecutions(request.reqId, request.filter);
      case "reqIds":
        return this.send(out.nextValidId(exchange.nextOrderId()));
      case "reqManagedAccts":
        return this.send(out.managedAccounts([this.host.accountId]));
      case "reqCurrentTime":
        return this.send(out.currentTime(Math.floor(this.host.now() / 1000)));
      case "reqPositions":
        this.wantsPositions = true;
        for (const instrument of this.heldInstruments()) this.sendPosition(instrument);
        return this.send(out.positionEnd());
      case "cancelPositions":
        this.wantsPositions = false;
        return;
      case "reqAccountUpdates":
        return this.onReqAccountUpdates(request.subscribe);
      case "reqAccountSummary":
        return this.onReqAccountSummary(request.reqId, request.tags);
      case "cancelAccountSummary":
        return;
      case "reqAccountUpdatesMulti":
        this.accountUpdatesMulti.add(request.reqId);
        this.sendAccountUpdateMulti(request.reqId);
        return this.send(out.accountUpdateMultiEnd(request.reqId));
      case "cancelAccountUpdatesMulti":
        this.accountUpdatesMulti.delete(request.reqId);
        return;
      case "reqHistoricalData":
        return this.host.history.request(this, request);
      case "cancelHistoricalData":
        return this.host.history.cancel(this, request.reqId);
      case "reqHeadTimestamp":
        return this.host.history.headTimestamp(this, request.reqId, request.contract, request.formatDate);
      case "reqPnL":
        this.pnlRequests.add(request.reqId);
        return this.sendPnl(request.reqId);
      case "cancelPnL":
        this.pnlRequests.delete(request.reqId);
        return;
    }
  }

  private requireClientId(): number {
    if (this.clientId === null) throw new Error("START_API has not been received");
    return this.clientId;
  }

  private onStartApi(clientId: number): void {
    if (this.started) return;
    const claim = this.host.claimClientId(this, clientId);
    if (claim !== "ok") {
      const text =
        claim === "in-use"
          ? "Unable to connect as the client id is already in use. Retry with a unique client id."
          : "Unable to connect: the maximum number of API clients is already connected.";
      this.sendError(-1, 326, text);
      this.close();
      return;
    }
    this.clientId = clientId;
    this.started = true;
    this.send(out.managedAccounts([this.host.accountId]));
    this.send(out.nextValidId(this.host.exchange.nextOrderId()));
    for (const [code, text] of FARM_NOTICES) this.sendError(-1, code, text);
  }

  resolveInstrument(contract: ContractQuery): Instrument | undefined {
    if (contract.secType && contract.secType.toUpperCase() !== "STK") return undefined;
    return this.host.exchange.catalog.resolve(contract);
  }

  private onReqMktData(reqId: number, contract: ContractQuery, snapshot: boolean): void {
    const instrument = this.resolveInstrument(contract);
    if (!instrument) {
      this.sendError(reqId, NO_SECURITY_DEFINITION.code, NO_SECURITY_DEFINITION.text);
      return;
    }
    const subscription = { instrument, delayed: this.servesDelayed(reqId) };
    this.send(out.tickReqParams(reqId, instrument.minTick, "9c0001", 3));
    if (subscription.delayed) this.send(out.marketDataType(reqId, this.marketDataType === 2 || this.marketDataType === 4 ? 4 : 3));
    this.sendFullQuote(reqId, subscription, this.host.exchange.quote(instrument));
    if (snapshot) {
      this.send(out.tickSnapshotEnd(reqId));
      return;
    }
    this.marketData.set(reqId, subscription);
  }

  /** Delayed when asked for (types 3, 4) or when live data is not entitled, which TWS announces with 10167. */
  private servesDelayed(reqId: number): boolean {
    if (this.marketDataType >= 3) return true;
    if (this.host.marketDataEntitled) return false;
    this.sendError(reqId, 10167, "Requested market data is not subscribed. Displaying delayed market data.");
    return true;
  }

  private onReqMarketDataType(type: number): void {
    if (type < 1 || type > 4) {
      this.sendError(-1, 321, `Error validating request.-'bK' : cause - Invalid market data type ${type}`);
      return;
    }
    this.marketDataType = type;
    for (const [reqId, subscription] of this.marketData) {
      subscription.delayed = type >= 3 || !this.host.marketDataEntitled;
      this.send(out.marketDataType(reqId, subscription.delayed ? Math.max(type, 3) : type));
    }
  }

  private sendFullQuote(reqId: number, subscription: MarketDataSubscription, quote: Readonly<Quote>): void {
    this.sendQuoteUpdate(reqId, subscription, quote);
    const type = tickTypeFor(subscription.delayed);
    this.send(out.tickPrice(reqId, type(TICK.HIGH), quote.high, 0));
    this.send(out.tickPrice(reqId, type(TICK.LOW), quote.low, 0));
    this.send(out.tickPrice(reqId, type(TICK.CLOSE), quote.prevClose, 0));
    this.send(out.tickPrice(reqId, type(TICK.OPEN), quote.open, 0));
  }

  /** One market step for one subscription: bid, ask, last (each with its size) and volume. */
  sendQuoteUpdate(reqId: number, subscription: MarketDataSubscription, quote: Readonly<Quote>): void {
    const type = tickTypeFor(subscription.delayed);
    this.send(out.tickPrice(reqId, type(TICK.BID), quote.bid, quote.bidSize, 1));
    this.send(out.tickPrice(reqId, type(TICK.ASK), quote.ask, quote.askSize, 1));
    this.send(out.tickPrice(reqId, type(TICK.LAST), quote.last, quote.lastSize));
    this.send(out.tickSize(reqId, type(TICK.VOLUME), quote.volume));
  }

  sendPnl(reqId: number): void {
    const { daily, unrealized, realized } = this.host.exchange.pnl();
    this.send(out.pnl(reqId, daily, unrealized, realized));
  }

  private onReqContractDetails(reqId: number, contract: ContractQuery): void {
    const instrument = this.resolveInstrument(contract);
    if (!instrument) {
      this.sendError(reqId, NO_SECURITY_DEFINITION.code, NO_SECURITY_DEFINITION.text);
      return;
    }
    this.send(out.contractData(reqId, toWireContractDetails(instrument)));
    this.send(out.contractDataEnd(reqId));
  }

  private onPlaceOrder(orderId: number, contract: ContractQuery, order: OrderRequest): void {
    const instrument = this.resolveInstrument(contract);
    if (!instrument) {
      this.sendError(orderId, NO_SECURITY_DEFINITION.code, NO_SECURITY_DEFINITION.text);
      return;
    }
    if (order.whatIf) {
      this.sendError(orderId, 321, "Error validating request.-'bN' : cause - What-if orders are not supported by the simulator");
      return;
    }
    if (order.account && order.account !== this.host.accountId) {
      this.sendError(orderId, 321, `Error validating request.-'bN' : cause - Invalid account: ${order.account}`);
      return;
    }
    this.host.exchange.placeOrder(this.requireClientId(), orderId, instrument, order);
  }

  sendOpenOrders(orders: readonly SimOrder[]): void {
    for (const order of orders) this.sendOrder(order, true);
    this.send(out.openOrderEnd());
  }

  /**
   * Every order of the account that ended in this gateway session, as TWS answers
   * reqCompletedOrders (all API orders, whichever client placed them), oldest first.
   */
  private sendCompletedOrders(): void {
    const completed = this.host.exchange.allOrders().filter((order) => order.completion !== undefined);
    completed.sort((a, b) => a.completion!.at - b.completion!.at);
    for (const order of completed) {
      const end = {
        status: order.status,
        filledQuantity: order.filled,
        completedTime: `${formatDateTime(order.completion!.at, ACCOUNT_TIME_ZONE)} ${ACCOUNT_TIME_ZONE}`,
        completedStatus: order.completion!.text,
      };
      this.send(out.completedOrder(this.serverVersion, toWireContract(order.instrument), toWireOrder(order), end));
    }
    this.send(out.completedOrdersEnd());
  }

  sendOrder(order: SimOrder, withOpenOrder: boolean): void {
    if (withOpenOrder) this.send(out.openOrder(this.serverVersion, toWireContract(order.instrument), toWireOrder(order), order.status));
    this.send(out.orderStatus(toWireOrderStatus(order)));
  }

  /** IB Gateway's sequence for a fill: execution, status, and on completion the order again. */
  sendFill(order: SimOrder, execution: ExecutionRecord, commission: CommissionRecord): void {
    this.send(out.executionData(this.serverVersion, -1, toWireContract(execution.instrument), toWireExecution(execution)));
    this.sendOrder(order, false);
    if (order.status === "Filled") this.sendOrder(order, true);
    this.send(out.commissionReport(toWireCommission(commission)));
  }

  private onReqExecutions(reqId: number, filter: ExecutionFilter): void {
    const exchange = this.host.exchange;
    for (const execution of exchange.executions()) {
      if (!matchesFilter(execution, filter)) continue;
      this.send(out.executionData(this.serverVersion, reqId, toWireContract(execution.instrument), toWireExecution(execution)));
      const commission = exchange.commissionFor(execution.execId);
      if (commission) this.send(out.commissionReport(toWireCommission(commission)));
    }
    this.send(out.executionDataEnd(reqId));
  }

  private heldInstruments(): Instrument[] {
    return this.host.exchange.account.allHoldings().map((holding) => holding.instrument);
  }

  sendPosition(instrument: Instrument): void {
    const holding = this.host.exchange.account.holding(instrument.conId);
    if (!holding) return;
    this.send(out.position(this.host.accountId, toWireContract(instrument), holding.quantity, holding.averageCost.toDecimalPlaces(6).toNumber()));
  }

  private onReqAccountUpdates(subscribe: boolean): void {
    this.wantsAccountUpdates = subscribe;
    if (!subscribe) return;
    this.sendAccountValues();
    for (const instrument of this.heldInstruments()) this.sendPortfolioValue(instrument);
    this.sendAccountTime();
    this.send(out.accountDownloadEnd(this.host.accountId));
  }

  sendAccountValues(): void {
    for (const value of this.host.exchange.accountValues()) {
      this.send(out.accountValue(value.key, value.value, value.currency, this.host.accountId));
    }
  }

  sendAccountTime(): void {
    const wall = wallTimeAt(this.host.now(), ACCOUNT_TIME_ZONE);
    this.send(out.accountUpdateTime(`${String(wall.hour).padStart(2, "0")}:${String(wall.minute).padStart(2, "0")}`));
  }

  sendPortfolioValue(instrument: Instrument): void {
    const exchange = this.host.exchange;
    const holding = exchange.account.holding(instrument.conId);
    if (!holding) return;
    const price = exchange.markPrice(instrument);
    const marketValue = Number((price * holding.quantity).toFixed(2));
    const costBasis = holding.averageCost.times(holding.quantity);
    this.send(
      out.portfolioValue({
        contract: toWireContract(instrument),
        position: holding.quantity,
        marketPrice: price,
        marketValue,
        averageCost: holding.averageCost.toDecimalPlaces(6).toNumber(),
        unrealizedPnl: Number((marketValue - costBasis.toNumber()).toFixed(2)),
        realizedPnl: holding.realizedPnl.toDecimalPlaces(2).toNumber(),
        account: this.host.accountId,
      }),
    );
  }

  private onReqAccountSummary(reqId: number, tags: string): void {
    for (const value of accountSummaryValues(this.host.exchange.accountValues(), tags)) {
      this.send(out.accountSummary(reqId, this.host.accountId, value.key, value.value, value.currency));
    }
    this.send(out.accountSummaryEnd(reqId));
  }

  sendAccountUpdateMulti(reqId: number): void {
    for (const value of this.host.exchange.accountValues()) {
      this.send(out.accountUpdateMulti(reqId, this.host.accountId, "", value.key, value.value, value.currency));
    }
  }
}

/** Live tick type -> its delayed counterpart, as TWS numbers them. */
const DELAYED_TICK_TYPE: Readonly<Record<number, number>> = {
  [TICK.BID_SIZE]: 69,
  [TICK.BID]: 66,
  [TICK.ASK]: 67,
  [TICK.ASK_SIZE]: 70,
  [TICK.LAST]: 68,
  [TICK.LAST_SIZE]: 71,
  [TICK.HIGH]: 72,
  [TICK.LOW]: 73,
  [TICK.VOLUME]: 74,
  [TICK.CLOSE]: 75,
  [TICK.OPEN]: 76,
  [TICK.LAST_TIMESTAMP]: 88,
};

function tickTypeFor(delayed: boolean): (liveType: number) => number {
  return delayed ? (liveType) => DELAYED_TICK_TYPE[liveType] ?? liveType : (liveType) => liveType;
}

function matchesFilter(execution: ExecutionRecord, filter: ExecutionFilter): boolean {
  if (filter.clientId && filter.clientId !== execution.clientId) return false;
  if (filter.symbol && filter.symbol.toUpperCase() !== execution.instrument.symbol) return false;
  if (filter.secType && filter.secType.toUpperCase() !== execution.instrument.secType) return false;
  if (filter.side) {
    const side = filter.side.toUpperCase();
    const wanted = side === "BUY" || side === "BOT" ? "BOT" : "SLD";
    if (wanted !== execution.side) return false;
  }
  if (filter.time && execution.time.replace(/[ :-]/g, "").slice(0, 14) < filter.time.replace(/[ :-]/g, "").slice(0, 14)) return false;
  return true;
}

/** `yyyyMMdd HH:mm:ss` in `timeZone`. */
function formatDateTime(epochMs: number, timeZone: string): string {
  const wall = wallTimeAt(epochMs, timeZone);
  const two = (value: number) => String(value).padStart(2, "0");
  return `${wall.year}${two(wall.month)}${two(wall.day)} ${two(wall.hour)}:${two(wall.minute)}:${two(wall.second)}`;
}

function formatConnectionTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)} ${iso.slice(11, 19)} UTC`;
}
