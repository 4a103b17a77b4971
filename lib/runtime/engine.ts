import type { Logger } from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { GatewayClient, type ConnectionState } from "@/lib/adapters/ibkr/gateway-client";
import type { ConnectionNotice } from "@/lib/adapters/ibkr/notices";
import { TradingJournal } from "@/lib/adapters/db/trading-journal";
import { AccountView } from "@/lib/services/account-view";
import { FlattenService, gatewayFlattenBroker, type FlattenRequest, type FlattenResult } from "@/lib/services/flatten";
import { exchangeCalendar } from "@/lib/core/calendar";
import type { AuditEvent } from "@/lib/services/audit";
import { localDateKey } from "@/lib/core/time/zoned-time";

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
  now?: () => number;
}

export interface BrokerHealth {
  state: ConnectionState;
  host: string;
  port: number;
  clientId: number;
  account: string;
  lastNotice: ConnectionNotice | null;
  /** Messages waiting under the 50 msg/s rule, per priority lane. */
  outgoingQueue: { urgent: number; normal: number };
}

/**
 * The long-lived trading engine: one broker session, the live account picture, and the
 * journal that persists every broker event. Created and stopped by server.ts only.
 */
export class Engine {
  readonly view: AccountView;
  private readonly client: GatewayClient;
  private readonly journal: TradingJournal;
  private readonly flatten: FlattenService;
  private lastNotice: ConnectionNotice | null = null;
  private readonly noticeListeners = new Set<(notice: ConnectionNotice) => void>();

  constructor(private readonly options: EngineOptions) {
    const now = options.now ?? Date.now;
    const today = () => localDateKey(now(), options.tradingTimeZone);
    this.view = new AccountView((instant) => localDateKey(instant.getTime(), options.tradingTimeZone) === today());
    this.client = new GatewayClient({ ...options.ib, log: options.log.child({ adapter: "ibkr" }), timeZone: "UTC" });
    this.journal = new TradingJournal(options.prisma, options.log.child({ component: "journal" }));
    this.flatten = new FlattenService({
      broker: gatewayFlattenBroker(this.client),
      view: this.view,
      audit: options.audit,
      now,
      connected: () => this.client.connectionState === "connected",
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

  health(): BrokerHealth {
    return {
      state: this.client.connectionState,
      host: this.options.ib.host,
      port: this.options.ib.port,
      clientId: this.options.ib.clientId,
      account: this.client.managedAccount,
      lastNotice: this.lastNotice,
      outgoingQueue: this.client.queueDepth,
    };
  }

  /** TWS system notices (1100/1101/1102, farms) as they arrive; returns the unsubscribe. */
  onNotice(listener: (notice: ConnectionNotice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  /** Resolves when every broker event received so far is in the database. */
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
      void journal.recordOrderStatus(client.managedAccount, this.options.ib.clientId, status);
    });
    client.on("execution", (execution) => {
      view.applyExecution(execution);
      void journal.recordExecution(execution);
    });
    client.on("commission", (commission) => {
      view.applyCommission(commission);
      void journal.recordCommission(commission);
    });
    client.on("quote", (quote) => view.applyQuote(quote));
    client.on("orderError", (orderId, code, message) =>
      this.options.log.warn({ orderId, code, message }, "order error from the broker"),
    );
  }
}
