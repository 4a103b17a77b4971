import type { Server as HttpServer } from "node:http";
import { Server, type Socket } from "socket.io";
import type { Logger } from "pino";
import type { Quote } from "@/lib/adapters/ibkr/gateway-client";
import type { AccountView } from "@/lib/services/account-view";
import type { FlattenResult } from "@/lib/services/flatten";
import type { BrokerHealth } from "@/lib/adapters/ibkr/broker-health";
import type { Principal } from "@/lib/auth/principal";
import type { AlertHistoryEntry } from "@/lib/services/alert-history-entry";
import { DELTA_INTERVAL_MS, SOCKET_PATH, type ClientToServerEvents, type DashboardDelta, type ServerToClientEvents } from "./events";
import { LatestValueCoalescer } from "./coalescer";

export interface RealtimeOptions {
  httpServer: HttpServer;
  view: AccountView;
  log: Logger;
  /** Changes are coalesced (latest value wins, ticks per symbol) and pushed at most this often. */
  quoteIntervalMs?: number;
  /** Who is connecting (from the session cookie), or null to refuse the handshake. */
  authenticate: (headers: HandshakeHeaders) => Promise<Principal | null>;
  /** The alert history: its newest alerts go out with each snapshot, each new one at once. */
  alerts?: AlertSource;
  /**
   * When a session ends unless renewed (epoch ms), null once it is gone: a socket is closed when
   * the session it was opened with ends. Without it, sockets close only through dropSession.
   */
  sessionEndsAt?: (sessionId: string) => Promise<number | null>;
}

export interface AlertSource {
  latest(): AlertHistoryEntry[];
  onAlert(listener: (alert: AlertHistoryEntry) => void): () => void;
}

export interface HandshakeHeaders {
  cookie?: string;
  origin?: string;
  host?: string;
}

interface SocketData {
  principal: Principal;
}

type KestrelSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type StateKey = Exclude<keyof DashboardDelta, "quotes">;

const SESSION_RECHECK_AFTER_ERROR_MS = 60_000;
/** setTimeout's limit (about 24.8 days); a longer wait is taken in steps. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** Tells the browser its session ended, then closes the socket (the browser does not reconnect by itself). */
function endSession(socket: KestrelSocket): void {
  socket.emit("sessionEnded");
  socket.disconnect(true);
}

/**
 * The live feed: a snapshot on connect, then at most one delta per interval carrying the
 * latest value of everything that changed, so a browser never gets more than 1000/interval pushes a second.
 */
export class RealtimeFeed {
  private readonly io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
  private readonly pendingQuotes = new LatestValueCoalescer<string, Quote>();
  private readonly pendingState = new LatestValueCoalescer<StateKey, DashboardDelta[StateKey]>();
  private readonly timer: NodeJS.Timeout;
  private readonly detach: (() => void)[] = [];

  constructor(private readonly options: RealtimeOptions) {
    this.io = new Server(options.httpServer, { path: SOCKET_PATH, serveClient: false, destroyUpgrade: false });
    this.io.use((socket, next) => {
      const { cookie, origin, host } = socket.handshake.headers;
      options
        .authenticate({ cookie, origin, host })
        .then((principal) => {
          if (!principal) return next(new Error("unauthenticated: sign in to see live data"));
          socket.data.principal = principal;
          next();
        })
        .catch(() => next(new Error("authentication failed")));
    });
    this.io.on("connection", (socket) => this.onConnection(socket));
    this.timer = setInterval(() => this.flush(), options.quoteIntervalMs ?? DELTA_INTERVAL_MS);
    this.timer.unref();
    this.subscribe();
  }

  /** Disconnects every socket of a session that was signed out or revoked. */
  dropSession(sessionId: string): void {
    for (const socket of this.io.sockets.sockets.values()) {
      if (socket.data.principal?.sessionId === sessionId) endSession(socket);
    }
  }

  publishFlatten(result: FlattenResult): void {
    this.io.emit("flatten", result);
  }

  publishHealth(health: BrokerHealth): void {
    this.io.emit("health", health);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const undo of this.detach) undo();
    this.io.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      this.io.close(() => resolve());
    });
  }

  private onConnection(socket: KestrelSocket): void {
    const sendSnapshot = () => {
      socket.emit("snapshot", this.options.view.snapshot());
      if (this.options.alerts) socket.emit("alerts", this.options.alerts.latest());
    };
    sendSnapshot();
    socket.on("resync", sendSnapshot);
    this.watchSession(socket);
  }

  /**
   * Closes the socket when its session ends. The end read now may be pushed back by requests the
   * browser makes meanwhile, so it is read again when it comes; the socket's own traffic does
   * not renew the session (a dashboard left open does not stay signed in).
   */
  private watchSession(socket: KestrelSocket): void {
    const { sessionEndsAt, log } = this.options;
    const sessionId = socket.data.principal.sessionId;
    if (!sessionEndsAt || !sessionId) return;
    let timer: NodeJS.Timeout | undefined;
    const check = async () => {
      let endsAt: number | null;
      try {
        endsAt = await sessionEndsAt(sessionId);
      } catch (error) {
        log.warn({ err: error }, "could not read a live-feed session's end; reading it again in a minute");
        endsAt = Date.now() + SESSION_RECHECK_AFTER_ERROR_MS;
      }
      if (socket.disconnected) return;
      const wait = endsAt === null ? 0 : endsAt - Date.now();
      if (wait <= 0) return endSession(socket);
      timer = setTimeout(() => void check(), Math.min(wait, LONGEST_TIMER_MS));
      timer.unref();
    };
    socket.on("disconnect", () => clearTimeout(timer));
    void check();
  }

  private subscribe(): void {
    const { view } = this.options;
    const forward = (event: StateKey) => {
      const listener = (payload: DashboardDelta[StateKey]) => this.pendingState.offer(event, payload);
      view.on(event, listener as never);
      this.detach.push(() => view.off(event, listener as never));
    };
    forward("connection");
    forward("account");
    forward("positions");
    forward("orders");
    forward("fills");
    const onQuote = (quote: Quote) => this.pendingQuotes.offer(quote.symbol, quote);
    view.on("quote", onQuote);
    this.detach.push(() => view.off("quote", onQuote));
    const { alerts } = this.options;
    if (alerts) this.detach.push(alerts.onAlert((alert) => this.io.emit("alert", alert)));
  }

  private flush(): void {
    if (this.pendingQuotes.size === 0 && this.pendingState.size === 0) return;
    const delta: DashboardDelta = Object.fromEntries(this.pendingState.drain());
    const quotes = this.pendingQuotes.drain().map(([, quote]) => quote);
    if (quotes.length > 0) delta.quotes = quotes;
    this.io.emit("delta", delta);
  }
}
