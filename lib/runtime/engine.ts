import path from "node:path";
import type { Logger } from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { GatewayClient } from "@/lib/adapters/ibkr/gateway-client";
import type { ConnectionNotice } from "@/lib/adapters/ibkr/notices";
import type { Entitlement } from "@/lib/adapters/ibkr/entitlements";
import { classifyOrderError, type BrokerExecution } from "@/lib/adapters/ibkr/mapping";
import { PostgresOrderIds } from "@/lib/adapters/ibkr/order-ids";
import { finalStatesOfClosedOrders, type ReconcileResult, type ReconcileSnapshot } from "@/lib/adapters/ibkr/reconcile";
import { nextResetWindow } from "@/lib/adapters/ibkr/reset-windows";
import { TradingJournal, type JournalEntry } from "@/lib/adapters/db/trading-journal";
import { Spool } from "@/lib/adapters/db/spool";
import { OrderDecisions, type DecisionIntent } from "@/lib/adapters/db/order-decisions";
import { AccountView } from "@/lib/services/account-view";
import { FlattenService, gatewayFlattenBroker, type FlattenRequest, type FlattenResult } from "@/lib/services/flatten";
import { exchangeCalendar } from "@/lib/core/calendar";
import type { AuditEvent } from "@/lib/services/audit";
import { localDateKey } from "@/lib/core/time/zoned-time";
import { accountModeProblem, type AccountMode } from "@/lib/adapters/ibkr/accounts";
import type { BrokerHealth } from "@/lib/adapters/ibkr/broker-health";

export interface EngineOptions {
  ib: { host: string; port: number; clientId: number };
  prisma: PrismaClient;
  log: Logger;
  audit: (event: AuditEvent) => Promise<void>;
  watchlist: string[];
  /** The zone whose calendar decides what "today's fills" are. */
  tradingTimeZone: string;
  /** The exchange whose regular hours decide market or marketable-limit closes when flattening. */
  exchange?: string;
  mode?: AccountMode;
  /** IB_ACCOUNT: the account to trade; the gateway's first managed account when unset. */
  account?: string;
  /** Where the journal's spool file lives (KESTREL_DATA_DIR); no spool without it. */
  dataDir?: string;
  reconnectDelaysMs?: { initial: number; max: number };
  now?: () => number;
}


export interface SendDecisionResult {
  orderId: number | null;
  orderRef: string;
  /** True when this decision's order had already gone out; nothing was sent this time. */
  alreadySent: boolean;
}

/**
 * The long-lived trading engine: one broker session, the live account picture, and the
 * journal that persists every broker event. Created and stopped by server.ts only.
 */
export class Engine {
  readonly view: AccountView;
  readonly client: GatewayClient;
  private readonly journal: TradingJournal;
  private readonly flatten: FlattenService;
  private readonly decisions: OrderDecisions;
  private readonly orderIds: PostgresOrderIds;
  private readonly mode: AccountMode;
  private modeProblem: string | null = null;
  private lastNotice: ConnectionNotice | null = null;
  private historicalQueueDepth: (() => number) | null = null;
  private readonly noticeListeners = new Set<(notice: ConnectionNotice) => void>();
  private readonly fillListeners = new Set<(execution: BrokerExecution) => void>();
  /** execIds already handed to fill listeners in this process (the journal decides across restarts). */
  private readonly emittedFills = new Set<string>();

  constructor(private readonly options: EngineOptions) {
    const now = options.now ?? Date.now;
    const today = () => localDateKey(now(), options.tradingTimeZone);
    const log = options.log;
    this.mode = options.mode ?? "paper";
    this.view = new AccountView((instant) => localDateKey(instant.getTime(), options.tradingTimeZone) === today());
    this.orderIds = new PostgresOrderIds(options.prisma, 200, (error) => log.error({ err: error }, "could not reserve order ids"));
    this.decisions = new OrderDecisions(options.prisma);
    this.client = new GatewayClient({
      ...options.ib,
      log: log.child({ adapter: "ibkr" }),
      timeZone: "UTC",
      orderIds: this.orderIds,
      reconnectDelaysMs: options.reconnectDelaysMs,
      lastExecutionTime: () => this.lastExecutionTime(),
      onReconcile: (snapshot) => this.reconcileRecords(snapshot),
      now,
    });
    const spool = options.dataDir ? new Spool<JournalEntry>(path.resolve(options.dataDir)) : undefined;
    this.journal = new TradingJournal(options.prisma, log.child({ component: "journal" }), { spool });
    this.flatten = new FlattenService({
      broker: gatewayFlattenBroker(this.client),
      view: this.view,
      audit: options.audit,
      now,
      connected: () => this.client.ready,
      regularHours: options.exchange ? () => exchangeCalendar(options.exchange!).isOpenAt(now()) : undefined,
      onAuditFailure: (error, event) => options.log.error({ err: error, action: event.action }, "audit row lost"),
    });
    this.wire();
  }

  start(): void {
    for (const symbol of this.options.watchlist) this.client.subscribeQuotes(symbol);
    this.client.start();
  }

  async stop(): Promise<void> {
    await this.client.stop();
    await this.journal.flush();
    this.journal.stop();
  }

  flattenAll(request: FlattenRequest): Promise<FlattenResult> {
    return this.flatten.flattenAll(request);
  }

  /** Flatten, cancel-all and one-symbol flatten: the risk controls' own path to the broker. */
  get flattenService(): FlattenService {
    return this.flatten;
  }

  get flattenInProgress(): boolean {
    return this.flatten.inProgress;
  }

  /**
   * Sends a market order for a strategy decision at most once: the decision is stored before
   * sending and marked sent after; a decision already sent (also by an earlier process) is not sent again.
   */
  async sendDecision(intent: DecisionIntent): Promise<SendDecisionResult> {
    if (this.modeProblem) throw new Error(this.modeProblem);
    const existing = await this.decisions.begin(intent);
    if (existing.status === "sent") return { orderId: existing.orderId, orderRef: existing.orderRef, alreadySent: true };
    let orderId: number;
    try {
      orderId = await this.client.placeMarketOrder({ symbol: intent.symbol, side: intent.side, quantity: intent.quantity, orderRef: existing.orderRef });
    } catch (error) {
      await this.decisions.markNotSent(intent.decisionId);
      throw error;
    }
    await this.decisions.markSent(intent.decisionId, orderId);
    return { orderId, orderRef: existing.orderRef, alreadySent: false };
  }

  entitlementOf(symbol: string): Entitlement {
    return this.client.entitlementOf(symbol);
  }

  /** A historical-data queue whose depth the health endpoint should show. */
  attachHistoricalQueueDepth(depth: () => number): void {
    this.historicalQueueDepth = depth;
  }

  health(): BrokerHealth {
    const now = (this.options.now ?? Date.now)();
    const window = nextResetWindow(now);
    return {
      state: this.client.connectionState,
      ready: this.client.ready && !this.modeProblem,
      mode: this.mode,
      host: this.options.ib.host,
      port: this.options.ib.port,
      clientId: this.client.clientId,
      configuredClientId: this.options.ib.clientId,
      account: this.client.managedAccount,
      modeProblem: this.modeProblem,
      lastNotice: this.lastNotice,
      farms: this.client.farms.snapshot(),
      nextResetWindow: {
        name: window.name,
        start: new Date(window.start).toISOString(),
        end: new Date(window.end).toISOString(),
        inProgress: window.start <= now,
      },
      outgoingQueue: this.client.queueDepth,
      ...(this.historicalQueueDepth ? { historicalQueue: this.historicalQueueDepth() } : {}),
      lastReconcile: this.client.lastReconcile,
      entitlements: this.client.entitlements.snapshot(),
      spooledWrites: this.journal.spooled,
      orderIdHighWaterMark: this.orderIds.highWaterMark,
    };
  }

  /** TWS system notices (1100/1101/1102, farms) as they arrive; returns the unsubscribe. */
  onNotice(listener: (notice: ConnectionNotice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  /** Each execution once, including those that happened while disconnected; returns the unsubscribe. */
  onFill(listener: (execution: BrokerExecution) => void): () => void {
    this.fillListeners.add(listener);
    return () => this.fillListeners.delete(listener);
  }

  /** Each reconcile's result; returns the unsubscribe. */
  onReconciled(listener: (result: ReconcileResult) => void): () => void {
    this.client.on("reconciled", listener);
    return () => this.client.off("reconciled", listener);
  }

  /** Resolves when every broker event received so far is in the database (or the spool). */
  persisted(): Promise<void> {
    return this.journal.flush();
  }

  private wire(): void {
    const { client, view, journal } = this;
    client.on("connection", (state) => view.setConnection(state));
    client.on("notice", (notice) => {
      this.lastNotice = notice;
      for (const listener of this.noticeListeners) listener(notice);
    });
    client.on("accounts", (accounts) => this.checkAccount(accounts));
    client.on("accountValue", (key, value, currency, account) => view.applyAccountValue(key, value, currency, account));
    client.on("position", (position) => {
      view.applyPosition(position);
      if (position.quantity !== 0) client.subscribeQuotes(position.symbol);
    });
    client.on("positionEnd", () => void journal.recordPositions(view.openPositions()));
    client.on("openOrder", (order) => {
      view.applyOpenOrder(order);
      void journal.recordOrder(order);
    });
    client.on("orderStatus", (status) => {
      view.applyOrderStatus(status);
      void journal.recordOrderStatus(client.managedAccount, client.clientId, status);
    });
    client.on("execution", (execution) => {
      view.applyExecution(execution);
      void journal.recordExecution(execution).then((outcome) => {
        if (outcome === "written" || outcome === "spooled") this.emitFill(execution);
      });
    });
    client.on("commission", (commission) => {
      view.applyCommission(commission);
      void journal.recordCommission(commission);
    });
    client.on("quote", (quote) => view.applyQuote(quote));
    client.on("orderError", (orderId, code, message) => this.logOrderError(orderId, code, message));
  }

  /** 202 confirms a cancel and 399 is advice; only real rejections are warnings. */
  private logOrderError(orderId: number, code: number, message: string): void {
    const kind = classifyOrderError(code);
    const level = kind === "rejected" || kind === "duplicate-id" ? "warn" : kind === "warning" ? "info" : "debug";
    this.options.log[level]({ orderId, code, kind, message }, "order message from the broker");
  }

  private emitFill(execution: BrokerExecution): void {
    if (this.emittedFills.has(execution.execId)) return;
    this.emittedFills.add(execution.execId);
    if (this.emittedFills.size > 50_000) this.emittedFills.delete(this.emittedFills.values().next().value as string);
    for (const listener of this.fillListeners) listener(execution);
  }

  /** Refuses to trade when the account and TRADING_MODE disagree (paper needs a DU account, live must not have one). */
  private checkAccount(accounts: string[]): void {
    const configured = this.options.account;
    const account = configured ?? accounts[0] ?? "";
    this.modeProblem =
      configured && !accounts.includes(configured)
        ? `IB_ACCOUNT ${configured} is not among the gateway's accounts (${accounts.join(", ")})`
        : accountModeProblem(this.mode, account);
    if (this.modeProblem) {
      this.options.log.fatal({ mode: this.mode, account }, this.modeProblem);
      void this.client.stop();
    }
  }

  private async lastExecutionTime(): Promise<Date | null> {
    const latest = await this.options.prisma.execution.findFirst({ orderBy: { executedAt: "desc" }, select: { executedAt: true } });
    return latest?.executedAt ?? null;
  }

  /**
   * Pending decisions are settled by orderRef against what the broker reports, and orders on
   * record as working that the broker no longer lists as open get their final state.
   */
  private async reconcileRecords(snapshot: ReconcileSnapshot): Promise<string[]> {
    await this.journal.flush();
    const refs = new Map<string, number>();
    for (const item of [...snapshot.openOrders, ...snapshot.executions]) if (item.orderRef) refs.set(item.orderRef, item.orderId);
    const { foundSent, notSent } = await this.decisions.resolvePending(refs);
    const discrepancies: string[] = [];
    if (foundSent.length > 0) discrepancies.push(`${foundSent.length} decision(s) sent just before the outage, found at the broker by orderRef`);
    if (notSent.length > 0) discrepancies.push(`${notSent.length} decision(s) never reached the broker: ${notSent.join(", ")}`);
    return [...discrepancies, ...(await this.settleClosedOrders(snapshot))];
  }

  /** Final states go through the journal like live statuses: written once, spooled if Postgres is away. */
  private async settleClosedOrders(snapshot: ReconcileSnapshot): Promise<string[]> {
    const finals = finalStatesOfClosedOrders(await this.journal.workingOrders(snapshot.askedAt), snapshot);
    for (const final of finals) void this.journal.recordOrderStatus(final.account, final.clientId, final.status);
    await this.journal.flush();
    if (finals.length > 0) this.options.log.warn({ orders: finals.map((final) => final.note) }, "orders ended at the broker while we were away");
    return finals.map((final) => final.note);
  }
}
