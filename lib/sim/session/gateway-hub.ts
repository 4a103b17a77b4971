/**
 * The set of live API sessions: client-id bookkeeping, and the routing of exchange events
 * to the sessions that should hear about them.
 */
import type { Socket } from "node:net";
import type { Exchange, ExchangeListener, OrderRejection } from "../model/exchange";
import type { Instrument } from "../model/instruments";
import type { Quote } from "../model/market";
import type { CommissionRecord, ExecutionRecord, SimOrder } from "../model/orders";
import * as out from "../wire/outgoing";
import { ClientSession, type SessionHost } from "./client-session";
import type { HistoricalDataService } from "./historical-data";

export const MAX_CLIENTS = 32;

export class GatewayHub implements ExchangeListener, SessionHost {
  private readonly sessions = new Set<ClientSession>();
  private readonly byClientId = new Map<number, ClientSession>();
  private marketDataSuspended = false;

  constructor(
    readonly exchange: Exchange,
    readonly accountId: string,
    private readonly clockNow: () => number,
    readonly history: HistoricalDataService,
    readonly pacingEnforced: boolean,
    readonly marketDataEntitled: boolean,
  ) {}

  now(): number {
    return this.clockNow();
  }

  accept(socket: Socket): ClientSession {
    const session = new ClientSession(socket, this);
    this.sessions.add(session);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => session.onData(chunk));
    socket.on("close", () => {
      session.markClosed();
      this.sessions.delete(session);
    });
    // A reset from the peer must not take the simulator down.
    socket.on("error", () => socket.destroy());
    return session;
  }

  claimClientId(session: ClientSession, clientId: number): "ok" | "in-use" | "full" {
    if (this.byClientId.has(clientId)) return "in-use";
    if (this.byClientId.size >= MAX_CLIENTS) return "full";
    this.byClientId.set(clientId, session);
    return "ok";
  }

  release(session: ClientSession): void {
    if (session.clientId !== null && this.byClientId.get(session.clientId) === session) this.byClientId.delete(session.clientId);
  }

  /** Every ready session, e.g. to broadcast notices. */
  readySessions(): ClientSession[] {
    return [...this.sessions].filter((session) => session.isReady);
  }

  allSockets(): Socket[] {
    return [...this.sessions].map((session) => session.socket);
  }

  closeAll(): void {
    for (const session of this.sessions) session.socket.destroy();
    this.sessions.clear();
    this.byClientId.clear();
  }

  /** During a connectivity outage no ticks flow. */
  suspendMarketData(suspended: boolean): void {
    this.marketDataSuspended = suspended;
  }

  /** After "restored - data lost" clients must subscribe again. */
  dropMarketDataSubscriptions(): void {
    for (const session of this.sessions) session.marketData.clear();
  }

  dropSockets(clientId?: number): number {
    const targets = [...this.sessions].filter((session) => clientId === undefined || session.clientId === clientId);
    for (const session of targets) session.socket.destroy();
    return targets.length;
  }

  private owner(clientId: number): ClientSession | undefined {
    const session = this.byClientId.get(clientId);
    return session?.isReady ? session : undefined;
  }

  orderChanged(order: SimOrder, withOpenOrder: boolean): void {
    this.owner(order.clientId)?.sendOrder(order, withOpenOrder);
  }

  executed(order: SimOrder, execution: ExecutionRecord, commission: CommissionRecord): void {
    this.owner(order.clientId)?.sendFill(order, execution, commission);
  }

  orderError(clientId: number, orderId: number, rejection: OrderRejection): void {
    this.owner(clientId)?.sendError(orderId, rejection.code, rejection.text);
  }

  quoteChanged(instrument: Instrument, quote: Readonly<Quote>): void {
    if (this.marketDataSuspended) return;
    for (const session of this.sessions) {
      if (!session.isReady || session.marketData.size === 0) continue;
      for (const [reqId, subscription] of session.marketData) {
        if (subscription.instrument.conId === instrument.conId) session.sendQuoteUpdate(reqId, subscription, quote);
      }
    }
    this.history.onQuote(instrument, quote);
  }

  portfolioChanged(instrument: Instrument): void {
    for (const session of this.readySessions()) {
      if (session.wantsPositions) session.sendPosition(instrument);
      if (session.wantsAccountUpdates) {
        session.sendPortfolioValue(instrument);
        session.sendAccountValues();
        session.sendAccountTime();
      }
      for (const reqId of session.pnlRequests) session.sendPnl(reqId);
      for (const reqId of session.accountUpdatesMulti) {
        session.sendAccountUpdateMulti(reqId);
        session.send(out.accountUpdateMultiEnd(reqId));
      }
    }
  }
}
