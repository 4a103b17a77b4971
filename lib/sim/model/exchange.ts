/**
 * The simulated exchange and broker: accepts, modifies and cancels orders, matches them
 * against the random-walk quotes, and books fills into the account. It knows nothing of
 * sockets or the wire; it reports what happened to an ExchangeListener.
 */
import Decimal from "decimal.js";
import { wallTimeAt } from "@/lib/core/time/zoned-time";
import { Account, toBase } from "./account";
import type { SimClock } from "./clock";
import { fixedCommission } from "./commission";
import { InstrumentCatalog, type Instrument } from "./instruments";
import type { LedgerCommission, LedgerExecution, LedgerOrder, SimLedger } from "./ledger";
import { RandomWalk, type Quote } from "./market";
import {
  effectiveLimit,
  isDone,
  isWorking,
  needsTrigger,
  remainingOf,
  signedShares,
  SUPPORTED_ORDER_TYPES,
  type CommissionRecord,
  type ExecutionRecord,
  type OrderAction,
  type OrderType,
  type OrderTerms,
  type SimOrder,
} from "./orders";
import { isOnTick, roundToTick } from "./prices";
import type { ReplayTrack } from "./replay";
import { deriveSeed, SeededRandom } from "./random";
import { accountTotals, accountValues, MARGIN_RATE, type AccountValue } from "./valuation";

/** What a client asks for; prices are validated against the instrument's tick. */
export type OrderTicket = OrderTerms<string, string>;

export interface OrderRejection {
  code: number;
  text: string;
}

export interface ExchangeListener {
  /** An order was accepted, modified or changed status; `withOpenOrder` asks for the full order too. */
  orderChanged(order: SimOrder, withOpenOrder: boolean): void;
  /** A fill was booked; `order` already reflects it. */
  executed(order: SimOrder, execution: ExecutionRecord, commission: CommissionRecord): void;
  /** An order-related error or warning for the order's owner. */
  orderError(clientId: number, orderId: number, rejection: OrderRejection): void;
  quoteChanged(instrument: Instrument, quote: Readonly<Quote>): void;
  portfolioChanged(instrument: Instrument): void;
}

export interface ExchangeOptions {
  accountId: string;
  seed: number;
  clock: SimClock;
  startingState: "demo" | "empty";
  catalog?: InstrumentCatalog;
  /** When true, market orders outside regular hours need outsideRth and DAY orders expire at the close. */
  enforceTradingHours?: boolean;
  /** Replayed bars by conId: these instruments follow the data instead of the random walk. */
  replay?: ReadonlyMap<number, ReplayTrack>;
}

export const ERROR = {
  DUPLICATE_ORDER_ID: 103,
  CANNOT_MODIFY_FILLED: 104,
  PRICE_OFF_TICK: 110,
  NO_SECURITY_DEFINITION: 200,
  ORDER_REJECTED: 201,
  ORDER_CANCELLED: 202,
  VALIDATION: 321,
  UNSUPPORTED_ORDER_TYPE: 387,
  CANCEL_UNKNOWN: 10147,
  CANCEL_NOT_CANCELLABLE: 10148,
} as const;

const EXECUTION_TIME_ZONE = "US/Eastern";
const STARTING_CASH = 100_000;
const pad = (value: number, width = 2) => String(value).padStart(width, "0");

export class Exchange {
  readonly account: Account;
  readonly catalog: InstrumentCatalog;
  private readonly clock: SimClock;
  private readonly walks = new Map<number, RandomWalk>();
  private readonly orders = new Map<string, SimOrder>();
  /** Orders not yet filled, cancelled or rejected (held ones included): what matching and OCA scan. */
  private readonly active = new Set<SimOrder>();
  private readonly highestOrderIdByClient = new Map<number, number>();
  private readonly executionLog: ExecutionRecord[] = [];
  private readonly commissionLog: CommissionRecord[] = [];
  private readonly listeners = new Set<ExchangeListener>();
  private readonly execIdPrefix: string;
  private nextPermId: number;
  private executionCount = 0;
  private nextValidOrderId = 1;
  private rejectNextOrder: OrderRejection | null = null;
  /** When each slice of the universe last moved (see stepMarket). */
  private readonly lastStepAt = new Map<string, number>();
  private readonly startedAt: number;
  private fillDelayMs = 0;
  private readonly lastSession = new Map<number, "regular" | "extended" | "closed">();
  private readonly lastSessionMinute = new Map<number, number>();

  constructor(private readonly options: ExchangeOptions) {
    this.clock = options.clock;
    this.startedAt = options.clock.now();
    this.catalog = options.catalog ?? new InstrumentCatalog();
    this.account = new Account(options.accountId);
    const random = new SeededRandom(deriveSeed(options.seed, 0));
    this.nextPermId = random.int(100_000_000, 1_900_000_000);
    this.execIdPrefix = random.int(0x10000, 0xfffff).toString(16).padStart(8, "0");
    for (const instrument of this.catalog.instruments) {
      const walk = new RandomWalk(instrument, options.seed);
      // A replayed symbol quotes the file from the start, not the walk's seed price until the first step.
      const track = options.replay?.get(instrument.conId);
      if (track) walk.follow(track.priceAt(this.startedAt, instrument.minTick));
      this.walks.set(instrument.conId, walk);
      // The session at start-up, so that a close crossed before the first market step still counts.
      this.onSessionChange(instrument);
    }
    this.account.deposit("USD", STARTING_CASH);
    if (options.startingState === "demo") this.seedDemoAccount();
  }

  addListener(listener: ExchangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  quote(instrument: Instrument): Readonly<Quote> {
    return this.walkOf(instrument).current();
  }

  nextOrderId(): number {
    return this.nextValidOrderId;
  }

  /**
   * Advances the instruments' random walks to the clock's now, then matches working orders.
   * With `slices` > 1 only every slices-th instrument from `slice` moves, so a caller can spread
   * the universe's moves over the tick interval instead of moving all symbols at one instant.
   */
  stepMarket(slice = 0, slices = 1): void {
    const now = this.clock.now();
    const key = `${slice}/${slices}`;
    const elapsedMs = now - (this.lastStepAt.get(key) ?? this.startedAt);
    this.lastStepAt.set(key, now);
    let index = -1;
    for (const walk of this.walks.values()) {
      if (++index % slices !== slice) continue;
      const track = this.options.replay?.get(walk.instrument.conId);
      const quote = track ? walk.follow(track.priceAt(now, walk.instrument.minTick)) : walk.step(elapsedMs);
      this.emit((l) => l.quoteChanged(walk.instrument, quote));
      this.onSessionChange(walk.instrument);
      this.matchInstrument(walk.instrument);
    }
  }

  /** Runs the closing auction when the regular session ends, and expires DAY orders. Sessions change on whole minutes. */
  private onSessionChange(instrument: Instrument): void {
    const minute = Math.floor(this.clock.now() / 60_000);
    if (this.lastSessionMinute.get(instrument.conId) === minute) return;
    this.lastSessionMinute.set(instrument.conId, minute);
    const session = this.session(instrument);
    const previous = this.lastSession.get(instrument.conId);
    this.lastSession.set(instrument.conId, session);
    if (previous === undefined || previous === session) return;
    if (previous === "regular") {
      this.runClosingAuction(instrument);
      if (this.options.enforceTradingHours) this.expireDayOrders(instrument, (order) => !order.outsideRth);
    }
    if (session === "closed" && this.options.enforceTradingHours) this.expireDayOrders(instrument, () => true);
  }

  private runClosingAuction(instrument: Instrument): void {
    const closingPrice = this.quote(instrument).last;
    for (const order of this.workingOrdersOf(instrument)) {
      if (order.orderType !== "MOC" && order.orderType !== "LOC") continue;
      const limit = effectiveLimit(order);
      const crosses = limit === undefined || (order.action === "BUY" ? closingPrice <= limit : closingPrice >= limit);
      if (crosses) this.fill(order, remainingOf(order), closingPrice);
      else this.cancel(order);
    }
  }

  private expireDayOrders(instrument: Instrument, applies: (order: SimOrder) => boolean): void {
    for (const order of this.workingOrdersOf(instrument)) if (order.tif === "DAY" && applies(order)) this.cancel(order);
  }

  private workingOrdersOf(instrument: Instrument): SimOrder[] {
    return [...this.active].filter((order) => order.instrument.conId === instrument.conId && isWorking(order) && !order.held);
  }

  /** Outside regular hours orders execute only when trading hours are not enforced, or in extended hours with outsideRth. */
  private canTradeNow(order: SimOrder): boolean {
    if (this.clock.now() < order.fillableFrom) return false;
    if (!this.options.enforceTradingHours) return true;
    const session = this.session(order.instrument);
    return session === "regular" || (session === "extended" && order.outsideRth);
  }

  /** Moves one instrument's market so that it trades at `price`, then matches. */
  setPrice(instrument: Instrument, price: number): void {
    const quote = this.walkOf(instrument).moveTo(price);
    this.emit((l) => l.quoteChanged(instrument, quote));
    this.matchInstrument(instrument);
  }

  /** Orders placed from now on cannot fill before `delayMs` of simulated time has passed. */
  setFillDelay(delayMs: number): void {
    this.fillDelayMs = Math.max(0, delayMs);
  }

  /** The next order placed by any client is rejected with this error (fault injection). */
  rejectNext(rejection: OrderRejection): void {
    this.rejectNextOrder = rejection;
  }

  placeOrder(clientId: number, orderId: number, instrument: Instrument, ticket: OrderTicket): void {
    const existing = this.orders.get(orderKey(clientId, orderId));
    if (existing) {
      this.modifyOrder(existing, ticket);
      return;
    }
    const highest = this.highestOrderIdByClient.get(clientId) ?? 0;
    if (orderId <= highest) {
      this.emitError(clientId, orderId, { code: ERROR.DUPLICATE_ORDER_ID, text: "Duplicate order id" });
      return;
    }
    const rejection = this.validateTicket(instrument, ticket) ?? this.takeInjectedRejection();
    this.highestOrderIdByClient.set(clientId, orderId);
    this.nextValidOrderId = Math.max(this.nextValidOrderId, orderId + 1);
    if (rejection && rejection.code !== ERROR.ORDER_REJECTED) {
      this.emitError(clientId, orderId, rejection);
      return;
    }
    const order = this.createOrder(clientId, orderId, instrument, ticket);
    this.orders.set(orderKey(clientId, orderId), order);
    if (!rejection) this.active.add(order);
    if (rejection) {
      order.status = "Inactive";
      order.completion = { at: this.clock.now(), text: rejection.text };
      this.emitError(clientId, orderId, rejection);
      this.emit((l) => l.orderChanged(order, false));
      return;
    }
    if (order.held) return;
    this.release(order);
  }

  cancelOrder(clientId: number, orderId: number): void {
    const order = this.orders.get(orderKey(clientId, orderId));
    if (!order) {
      this.emitError(clientId, orderId, {
        code: ERROR.CANCEL_UNKNOWN,
        text: `OrderId ${orderId} that needs to be cancelled is not found.`,
      });
      return;
    }
    if (isDone(order)) {
      this.emitError(clientId, orderId, {
        code: ERROR.CANCEL_NOT_CANCELLABLE,
        text: `OrderId ${orderId} that needs to be cancelled cannot be cancelled, state: ${order.status}.`,
      });
      return;
    }
    this.cancel(order);
  }

  /** Cancels every open order of the account, whichever client placed it. */
  globalCancel(): void {
    for (const order of [...this.active]) if (!isDone(order)) this.cancel(order);
  }

  openOrders(): SimOrder[] {
    return [...this.active].filter((order) => !order.held);
  }

  allOrders(): SimOrder[] {
    return [...this.orders.values()];
  }

  executions(): readonly ExecutionRecord[] {
    return this.executionLog;
  }

  commissionFor(execId: string): CommissionRecord | undefined {
    return this.commissionLog.find((record) => record.execId === execId);
  }

  accountValues(): AccountValue[] {
    return accountValues(this.account, (instrument) => this.markPrice(instrument));
  }

  /** Account P&L as reqPnL reports it: today's change against the previous closes, unrealized and realized. */
  pnl(): { daily: number; unrealized: number; realized: number } {
    const totals = accountTotals(this.account, (instrument) => this.markPrice(instrument));
    let sinceClose = new Decimal(0);
    for (const holding of this.account.allHoldings()) {
      const change = new Decimal(this.markPrice(holding.instrument)).minus(this.quote(holding.instrument).prevClose).times(holding.quantity);
      sinceClose = sinceClose.plus(toBase(change, holding.instrument.currency));
    }
    const realized = totals.realizedPnl;
    return {
      daily: sinceClose.plus(realized).toDecimalPlaces(2).toNumber(),
      unrealized: totals.unrealizedPnl.toDecimalPlaces(2).toNumber(),
      realized: realized.toDecimalPlaces(2).toNumber(),
    };
  }

  /** Mark price for valuation: the midpoint of the current quote. */
  markPrice(instrument: Instrument): number {
    const quote = this.quote(instrument);
    return roundToTick((quote.bid + quote.ask) / 2, instrument.minTick / 2);
  }

  ledger(): SimLedger {
    const cashByCurrency: Record<string, number> = {};
    let cash = new Decimal(0);
    for (const [currency, amount] of this.account.cashBalances()) {
      cashByCurrency[currency] = amount.toNumber();
      cash = cash.plus(toBase(amount, currency));
    }
    return {
      account: this.account.accountId,
      cash: cash.toDecimalPlaces(2).toNumber(),
      cashByCurrency,
      realizedPnl: this.account.realizedPnl().toDecimalPlaces(2).toNumber(),
      orders: [...this.orders.values()].map(toLedgerOrder),
      executions: this.executionLog.map(toLedgerExecution),
      commissions: this.commissionLog.map(toLedgerCommission),
      positions: this.account.allHoldings().map((holding) => ({
        symbol: holding.instrument.symbol,
        conId: holding.instrument.conId,
        currency: holding.instrument.currency,
        qty: holding.quantity,
        avgCost: holding.averageCost.toDecimalPlaces(6).toNumber(),
      })),
    };
  }

  private walkOf(instrument: Instrument): RandomWalk {
    const walk = this.walks.get(instrument.conId);
    if (!walk) throw new Error(`no market for conId ${instrument.conId}`);
    return walk;
  }

  private emit(notify: (listener: ExchangeListener) => void): void {
    for (const listener of this.listeners) notify(listener);
  }

  private emitError(clientId: number, orderId: number, rejection: OrderRejection): void {
    this.emit((l) => l.orderError(clientId, orderId, rejection));
  }

  private takeInjectedRejection(): OrderRejection | null {
    const rejection = this.rejectNextOrder;
    this.rejectNextOrder = null;
    return rejection;
  }

  private validateTicket(instrument: Instrument, ticket: OrderTicket): OrderRejection | null {
    const orderType = ticket.orderType.toUpperCase();
    if (!(SUPPORTED_ORDER_TYPES as readonly string[]).includes(orderType)) {
      return { code: ERROR.UNSUPPORTED_ORDER_TYPE, text: "Unsupported order type for this exchange and security type." };
    }
    if (ticket.action !== "BUY" && ticket.action !== "SELL") {
      return { code: ERROR.VALIDATION, text: `Error validating request.-'bN' : cause - Invalid action: ${ticket.action}` };
    }
    if (!(ticket.totalQuantity > 0) || !Number.isInteger(ticket.totalQuantity)) {
      return { code: ERROR.VALIDATION, text: "Error validating request.-'bN' : cause - The order size must be a positive whole number of shares" };
    }
    return this.validatePrices(instrument, orderType as OrderType, ticket) ?? this.checkTradingHours(instrument, orderType as OrderType, ticket) ?? this.checkBuyingPower(instrument, ticket);
  }

  private validatePrices(instrument: Instrument, orderType: OrderType, ticket: OrderTicket): OrderRejection | null {
    const needsLimit = orderType === "LMT" || orderType === "STP LMT" || orderType === "LOC";
    const needsStop = orderType === "STP" || orderType === "STP LMT";
    if (needsLimit && (ticket.lmtPrice === undefined || ticket.lmtPrice <= 0)) {
      return { code: ERROR.VALIDATION, text: "Error validating request.-'bN' : cause - The limit price must be set for this order type" };
    }
    if (needsStop && (ticket.auxPrice === undefined || ticket.auxPrice <= 0)) {
      return { code: ERROR.VALIDATION, text: "Error validating request.-'bN' : cause - The stop price must be set for this order type" };
    }
    if (orderType === "TRAIL" && !(ticket.auxPrice !== undefined && ticket.auxPrice > 0) && !(ticket.trailingPercent !== undefined && ticket.trailingPercent > 0)) {
      return { code: ERROR.VALIDATION, text: "Error validating request.-'bN' : cause - A trailing amount or percent must be set" };
    }
    const pricesOnGrid = [needsLimit ? ticket.lmtPrice : undefined, needsStop || orderType === "TRAIL" ? ticket.auxPrice : undefined];
    if (pricesOnGrid.some((price) => price !== undefined && !isOnTick(price, instrument.minTick))) {
      return { code: ERROR.PRICE_OFF_TICK, text: "The price does not conform to the minimum price variation for this contract." };
    }
    return null;
  }

  private checkTradingHours(instrument: Instrument, orderType: OrderType, ticket: OrderTicket): OrderRejection | null {
    if (!this.options.enforceTradingHours || orderType !== "MKT" || ticket.outsideRth) return null;
    if (this.session(instrument) === "regular") return null;
    return {
      code: ERROR.ORDER_REJECTED,
      text: "Order rejected - reason:Market orders are not allowed outside regular trading hours unless outsideRth is set",
    };
  }

  private checkBuyingPower(instrument: Instrument, ticket: OrderTicket): OrderRejection | null {
    const action = ticket.action as OrderAction;
    const held = this.account.holding(instrument.conId)?.quantity ?? 0;
    const after = held + signedShares(action, ticket.totalQuantity);
    const addedExposure = Math.max(0, Math.abs(after) - Math.abs(held));
    if (addedExposure === 0) return null;
    const price = ticket.lmtPrice ?? this.markPrice(instrument);
    const totals = accountTotals(this.account, (held) => this.markPrice(held));
    const equity = totals.netLiquidation.toNumber();
    const initialMarginAfter = totals.initMargin.toNumber() + toBase(new Decimal(price * addedExposure), instrument.currency).toNumber() * MARGIN_RATE;
    if (initialMarginAfter <= equity) return null;
    return {
      code: ERROR.ORDER_REJECTED,
      text: `Order rejected - reason:YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE [${equity.toFixed(2)} USD] MUST EXCEED THE INITIAL MARGIN [${initialMarginAfter.toFixed(2)} USD]`,
    };
  }

  /** Regular, extended or closed session for the instrument at the simulated now. */
  session(instrument: Instrument): "regular" | "extended" | "closed" {
    const wall = wallTimeAt(this.clock.now(), instrument.timeZoneId);
    const weekday = new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay();
    if (weekday === 0 || weekday === 6) return "closed";
    const minute = wall.hour * 60 + wall.minute;
    if (minute >= instrument.regularHours.open && minute < instrument.regularHours.close) return "regular";
    if (minute >= instrument.extendedHours.open && minute < instrument.extendedHours.close) return "extended";
    return "closed";
  }

  private createOrder(clientId: number, orderId: number, instrument: Instrument, ticket: OrderTicket): SimOrder {
    const parent = ticket.parentId ? this.orders.get(orderKey(clientId, ticket.parentId)) : undefined;
    return {
      orderId,
      clientId,
      permId: this.nextPermId++,
      account: this.account.accountId,
      instrument,
      action: ticket.action as OrderAction,
      totalQuantity: ticket.totalQuantity,
      orderType: ticket.orderType.toUpperCase() as OrderType,
      lmtPrice: ticket.lmtPrice,
      auxPrice: ticket.auxPrice,
      trailingPercent: ticket.trailingPercent,
      trailStopPrice: undefined,
      tif: ticket.tif || "DAY",
      ocaGroup: ticket.ocaGroup,
      ocaType: ticket.ocaGroup ? ticket.ocaType || 1 : ticket.ocaType,
      parentId: ticket.parentId,
      transmit: ticket.transmit,
      // Children of a bracket inherit the parent's outsideRth.
      outsideRth: ticket.outsideRth || (parent?.outsideRth ?? false),
      orderRef: ticket.orderRef,
      goodTillDate: ticket.goodTillDate,
      status: "PreSubmitted",
      held: !ticket.transmit,
      triggered: false,
      filled: 0,
      avgFillPrice: 0,
      lastFillPrice: 0,
      filledValue: new Decimal(0),
      commissionCharged: new Decimal(0),
      placedAt: this.clock.now(),
      fillableFrom: this.clock.now() + this.fillDelayMs,
    };
  }

  /** Submits an order and, for a transmitted child, the held parent and siblings of its group. */
  private release(order: SimOrder): void {
    const group = this.bracketGroup(order);
    for (const member of group) {
      member.held = false;
      member.status = this.initialStatus(member);
      this.emit((l) => l.orderChanged(member, true));
    }
    for (const member of group) if (isWorking(member)) this.matchOrder(member);
  }

  private bracketGroup(order: SimOrder): SimOrder[] {
    const root = order.parentId ? this.orders.get(orderKey(order.clientId, order.parentId)) : undefined;
    if (!root || !root.held) return [order];
    const siblings = [...this.active].filter(
      (candidate) => candidate.clientId === order.clientId && candidate.parentId === root.orderId && candidate.held,
    );
    return [root, ...siblings.filter((sibling) => sibling !== order), order];
  }

  private initialStatus(order: SimOrder): "PreSubmitted" | "Submitted" {
    const parent = this.parentOf(order);
    if (parent && parent.status !== "Filled") return "PreSubmitted";
    if (needsTrigger(order.orderType) || order.orderType === "MOC" || order.orderType === "LOC") return "PreSubmitted";
    return "Submitted";
  }

  private parentOf(order: SimOrder): SimOrder | undefined {
    return order.parentId ? this.orders.get(orderKey(order.clientId, order.parentId)) : undefined;
  }

  private modifyOrder(order: SimOrder, ticket: OrderTicket): void {
    if (isDone(order)) {
      this.emitError(order.clientId, order.orderId, {
        code: ERROR.CANNOT_MODIFY_FILLED,
        text: order.status === "Filled" ? "Can't modify a filled order." : `Unable to modify this order as it is ${order.status.toLowerCase()}.`,
      });
      return;
    }
    const priceProblem = this.validatePrices(order.instrument, order.orderType, ticket);
    if (priceProblem) {
      // On a modify TWS reports these as warnings and leaves the order as it was.
      this.emitError(order.clientId, order.orderId, priceProblem);
      return;
    }
    if (ticket.totalQuantity < order.filled) {
      this.emitError(order.clientId, order.orderId, { code: ERROR.VALIDATION, text: "Error validating request.-'bN' : cause - The new quantity is below the filled quantity" });
      return;
    }
    order.totalQuantity = ticket.totalQuantity;
    order.lmtPrice = ticket.lmtPrice;
    order.auxPrice = ticket.auxPrice;
    order.trailingPercent = ticket.trailingPercent;
    order.tif = ticket.tif || order.tif;
    order.outsideRth = ticket.outsideRth;
    order.orderRef = ticket.orderRef;
    const wasHeld = order.held;
    if (wasHeld && ticket.transmit) {
      this.release(order);
      return;
    }
    this.emit((l) => l.orderChanged(order, true));
    this.matchOrder(order);
  }

  private cancel(order: SimOrder): void {
    order.held = false;
    order.status = "Cancelled";
    order.completion = { at: this.clock.now(), text: "Cancelled by Trader" };
    this.active.delete(order);
    this.emit((l) => l.orderChanged(order, false));
    this.emitError(order.clientId, order.orderId, { code: ERROR.ORDER_CANCELLED, text: "Order Canceled - reason:" });
    for (const child of this.childrenOf(order)) if (!isDone(child)) this.cancel(child);
  }

  private childrenOf(order: SimOrder): SimOrder[] {
    return [...this.active].filter((o) => o.clientId === order.clientId && o.parentId === order.orderId);
  }

  private matchInstrument(instrument: Instrument): void {
    for (const order of this.workingOrdersOf(instrument)) if (isWorking(order)) this.matchOrder(order);
  }

  /** A waiting order first needs its trigger (or its parent's fill); an active one tries to execute. */
  private matchOrder(order: SimOrder): void {
    if (order.status === "PreSubmitted" && !this.activateIfTriggered(order)) return;
    this.tryExecute(order);
  }

  /**
   * Activates a waiting (PreSubmitted) order once its parent has filled and, for stop types,
   * its trigger is hit (moving trailing stops first). Returns whether it may now execute.
   */
  private activateIfTriggered(order: SimOrder): boolean {
    const parent = this.parentOf(order);
    if (parent && parent.status !== "Filled") return false;
    if (order.orderType === "MOC" || order.orderType === "LOC") return false;
    if (needsTrigger(order.orderType) && !this.stopHit(order)) return false;
    order.triggered = needsTrigger(order.orderType);
    order.status = "Submitted";
    this.emit((l) => l.orderChanged(order, false));
    return true;
  }

  private stopHit(order: SimOrder): boolean {
    const last = this.quote(order.instrument).last;
    const stopPrice = order.orderType === "TRAIL" ? this.updateTrailingStop(order, last) : order.auxPrice;
    if (stopPrice === undefined) return false;
    return order.action === "BUY" ? last >= stopPrice : last <= stopPrice;
  }

  private updateTrailingStop(order: SimOrder, last: number): number {
    const tick = order.instrument.minTick;
    const distance = order.trailingPercent !== undefined ? (last * order.trailingPercent) / 100 : (order.auxPrice ?? 0);
    const candidate = roundToTick(order.action === "SELL" ? last - distance : last + distance, tick);
    const current = order.trailStopPrice;
    const improves = current === undefined || (order.action === "SELL" ? candidate > current : candidate < current);
    if (improves) order.trailStopPrice = candidate;
    return order.trailStopPrice ?? candidate;
  }

  private tryExecute(order: SimOrder): void {
    if (!this.canTradeNow(order)) {
      if (order.tif === "IOC") this.cancel(order);
      return;
    }
    const quote = this.quote(order.instrument);
    const touch = order.action === "BUY" ? quote.ask : quote.bid;
    const limit = effectiveLimit(order);
    const marketable = limit === undefined || (order.action === "BUY" ? touch <= limit : touch >= limit);
    if (marketable) {
      const available = order.action === "BUY" ? quote.askSize : quote.bidSize;
      this.fill(order, Math.min(remainingOf(order), available), touch);
    }
    if (order.tif === "IOC" && isWorking(order)) this.cancel(order);
  }

  private fill(order: SimOrder, shares: number, price: number): void {
    if (shares <= 0) return;
    order.filled += shares;
    order.filledValue = order.filledValue.plus(new Decimal(price).times(shares));
    order.avgFillPrice = order.filledValue.dividedBy(order.filled).toDecimalPlaces(6).toNumber();
    order.lastFillPrice = price;
    const orderCommission = fixedCommission(order.filled, order.filledValue);
    const commission = orderCommission.minus(order.commissionCharged);
    order.commissionCharged = orderCommission;
    if (remainingOf(order) === 0) {
      order.status = "Filled";
      order.completion = { at: this.clock.now(), text: `Filled Size: ${order.filled}` };
      this.active.delete(order);
    }
    const outcome = this.account.applyFill(order.instrument, signedShares(order.action, shares), price, commission);
    const execution = this.recordExecution(order, shares, price);
    const commissionRecord: CommissionRecord = {
      execId: execution.execId,
      commission,
      currency: order.instrument.currency,
      realizedPnl: outcome.realizedPnl,
    };
    this.commissionLog.push(commissionRecord);
    this.emit((l) => l.executed(order, execution, commissionRecord));
    this.emit((l) => l.portfolioChanged(order.instrument));
    this.settleOcaGroup(order, shares);
    if (order.status === "Filled") this.activateChildren(order);
  }

  private recordExecution(order: SimOrder, shares: number, price: number): ExecutionRecord {
    const timeMs = this.clock.now();
    this.executionCount += 1;
    const execution: ExecutionRecord = {
      execId: `${this.execIdPrefix}.${this.executionCount.toString(16).padStart(8, "0")}.01.01`,
      orderId: order.orderId,
      clientId: order.clientId,
      permId: order.permId,
      account: order.account,
      instrument: order.instrument,
      side: order.action === "BUY" ? "BOT" : "SLD",
      shares,
      price,
      timeMs,
      time: formatExecutionTime(timeMs),
      cumQty: order.filled,
      avgPrice: order.avgFillPrice,
      orderRef: order.orderRef,
      exchange: order.instrument.primaryExchange === "NSE" ? "NSE" : "ISLAND",
    };
    this.executionLog.push(execution);
    return execution;
  }

  /** OCA type 1 cancels the rest of the group; types 2 and 3 reduce their size by the fill. */
  private settleOcaGroup(filledOrder: SimOrder, shares: number): void {
    const group = filledOrder.ocaGroup || this.implicitBracketGroup(filledOrder);
    if (!group) return;
    for (const other of [...this.active]) {
      if (other === filledOrder || isDone(other) || other.clientId !== filledOrder.clientId) continue;
      if ((other.ocaGroup || this.implicitBracketGroup(other)) !== group) continue;
      const ocaType = filledOrder.ocaType || 1;
      if (ocaType === 1) {
        this.cancel(other);
        continue;
      }
      other.totalQuantity = Math.max(other.filled, other.totalQuantity - shares);
      if (remainingOf(other) === 0) this.cancel(other);
      else this.emit((l) => l.orderChanged(other, true));
    }
  }

  /** Children of one bracket parent act as one OCA group even when none is named. */
  private implicitBracketGroup(order: SimOrder): string {
    return order.parentId ? `bracket:${order.clientId}:${order.parentId}` : "";
  }

  private activateChildren(parent: SimOrder): void {
    for (const child of this.childrenOf(parent)) {
      if (!isWorking(child) || child.held) continue;
      this.matchOrder(child);
    }
  }

  private seedDemoAccount(): void {
    const demo: Array<[string, number, number]> = [
      ["AAPL", 100, 0.96],
      ["MSFT", 50, 0.98],
      ["TSLA", -30, 1.03],
    ];
    for (const [symbol, quantity, costRatio] of demo) {
      const instrument = this.catalog.bySymbolOrThrow(symbol);
      const cost = roundToTick(this.quote(instrument).last * costRatio, instrument.minTick);
      this.account.seedHolding(instrument, quantity, cost);
      this.account.deposit(instrument.currency, new Decimal(cost).times(-quantity));
    }
    const resting: Array<[string, OrderAction, number, number]> = [
      ["NVDA", "BUY", 20, 0.9],
      ["AAPL", "SELL", 50, 1.1],
    ];
    let orderId = 1;
    for (const [symbol, action, quantity, priceRatio] of resting) {
      const instrument = this.catalog.bySymbolOrThrow(symbol);
      const lmtPrice = roundToTick(this.quote(instrument).last * priceRatio, instrument.minTick);
      this.placeOrder(0, orderId++, instrument, {
        ...BLANK_TICKET,
        action,
        totalQuantity: quantity,
        orderType: "LMT",
        lmtPrice,
        tif: "GTC",
        orderRef: "demo",
      });
    }
  }
}

export const BLANK_TICKET: OrderTicket = {
  action: "BUY",
  totalQuantity: 0,
  orderType: "MKT",
  lmtPrice: undefined,
  auxPrice: undefined,
  trailingPercent: undefined,
  trailStopPrice: undefined,
  tif: "DAY",
  ocaGroup: "",
  ocaType: 0,
  parentId: 0,
  transmit: true,
  outsideRth: false,
  orderRef: "",
  goodTillDate: "",
};

const orderKey = (clientId: number, orderId: number) => `${clientId}:${orderId}`;

let lastFormattedSecond = Number.NaN;
let lastFormattedTime = "";

/** `yyyyMMdd HH:mm:ss US/Eastern`; memoized per second, as fills come in bursts. */
export function formatExecutionTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== lastFormattedSecond) {
    lastFormattedSecond = second;
    lastFormattedTime = formatWallTime(epochMs);
  }
  return lastFormattedTime;
}

function formatWallTime(epochMs: number): string {
  const wall = wallTimeAt(epochMs, EXECUTION_TIME_ZONE);
  return `${wall.year}${pad(wall.month)}${pad(wall.day)} ${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)} ${EXECUTION_TIME_ZONE}`;
}

function toLedgerOrder(order: SimOrder): LedgerOrder {
  return {
    orderId: order.orderId,
    clientId: order.clientId,
    permId: order.permId,
    parentId: order.parentId,
    symbol: order.instrument.symbol,
    conId: order.instrument.conId,
    action: order.action,
    totalQuantity: order.totalQuantity,
    orderType: order.orderType,
    lmtPrice: order.lmtPrice ?? null,
    auxPrice: order.auxPrice ?? null,
    tif: order.tif,
    ocaGroup: order.ocaGroup,
    orderRef: order.orderRef,
    status: order.held ? "Held" : order.status,
    filled: order.filled,
    remaining: remainingOf(order),
    avgFillPrice: order.avgFillPrice,
  };
}

function toLedgerExecution(execution: ExecutionRecord): LedgerExecution {
  return {
    execId: execution.execId,
    orderId: execution.orderId,
    clientId: execution.clientId,
    permId: execution.permId,
    symbol: execution.instrument.symbol,
    conId: execution.instrument.conId,
    side: execution.side,
    shares: execution.shares,
    price: execution.price,
    time: execution.time,
    timestamp: new Date(execution.timeMs).toISOString(),
  };
}

function toLedgerCommission(record: CommissionRecord): LedgerCommission {
  return {
    execId: record.execId,
    amount: record.commission.toNumber(),
    currency: record.currency,
    realizedPnl: record.realizedPnl === undefined ? null : record.realizedPnl.toDecimalPlaces(6).toNumber(),
  };
}
