import type { Server as HttpServer } from "node:http";
import { Server, type Socket } from "socket.io";
import type { Logger } from "pino";
import type { Quote } from "@/lib/adapters/ibkr/gateway-client";
import type { AccountView } from "@/lib/services/account-view";
import type { FlattenResult } from "@/lib/services/flatten";
import type { Principal } from "@/lib/auth/principal";
import { SOCKET_PATH, type ClientToServerEvents, type ServerToClientEvents } from "./events";

export interface RealtimeOptions {
  httpServer: HttpServer;
  view: AccountView;
  log: Logger;
  /** Ticks are coalesced per symbol (latest wins) and pushed at most this often. */
  quoteIntervalMs?: number;
  /** Who is connecting (from the session cookie), or null to refuse the handshake. */
  authenticate: (headers: HandshakeHeaders) => Promise<Principal | null>;
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

/** The live feed: a snapshot on connect, then deltas, with ticks coalesced. */
export class RealtimeFeed {
  private readonly io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
  private readonly pendingQuotes = new Map<string, Quote>();
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
    this.timer = setInterval(() => this.flushQuotes(), options.quoteIntervalMs ?? 100);
    this.timer.unref();
    this.subscribe();
  }

  /** Disconnects every socket of a session that was signed out or revoked. */
  dropSession(sessionId: string): void {
    for (const socket of this.io.sockets.sockets.values()) {
      if (socket.data.principal?.sessionId === sessionId) socket.disconnect(true);
    }
  }

  publishFlatten(result: FlattenResult): void {
    this.io.emit("flatten", result);
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
    socket.emit("snapshot", this.options.view.snapshot());
    socket.on("resync", () => socket.emit("snapshot", this.options.view.snapshot()));
  }

  private subscribe(): void {
    const { view } = this.options;
    const forward = <E extends "connection" | "account" | "positions" | "orders" | "fills">(event: E) => {
      const listener = (payload: never) => (this.io.emit as (event: E, payload: never) => boolean)(event, payload);
      view.on(event, listener as never);
      this.detach.push(() => view.off(event, listener as never));
    };
    forward("connection");
    forward("account");
    forward("positions");
    forward("orders");
    forward("fills");
    const onQuote = (quote: Quote) => this.pendingQuotes.set(quote.symbol, quote);
    view.on("quote", onQuote);
    this.detach.push(() => view.off("quote", onQuote));
  }

  private flushQuotes(): void {
    if (this.pendingQuotes.size === 0) return;
    const quotes = [...this.pendingQuotes.values()];
    this.pendingQuotes.clear();
    this.io.emit("quotes", quotes);
  }
}
