import type { Server as HttpServer } from "node:http";
import { Server, type Socket } from "socket.io";
import type { Logger } from "pino";
import type { Quote } from "@/lib/adapters/ibkr/gateway-client";
import type { AccountView } from "@/lib/services/account-view";
import type { FlattenResult } from "@/lib/services/flatten";
import { SOCKET_PATH, type ClientToServerEvents, type ServerToClientEvents } from "./events";

export interface RealtimeOptions {
  httpServer: HttpServer;
  view: AccountView;
  log: Logger;
  /** Ticks are coalesced per symbol (latest wins) and pushed at most this often. */
  quoteIntervalMs?: number;
  /** Decides whether a handshake may connect; rejects with the reason it returns. */
  authorizeHandshake?: (headers: Record<string, string | string[] | undefined>) => Promise<string | null>;
}

type KestrelSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** The live feed: a snapshot on connect, then deltas, with ticks coalesced. */
export class RealtimeFeed {
  private readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  private readonly pendingQuotes = new Map<string, Quote>();
  private readonly timer: NodeJS.Timeout;
  private readonly detach: (() => void)[] = [];

  constructor(private readonly options: RealtimeOptions) {
    this.io = new Server(options.httpServer, { path: SOCKET_PATH, serveClient: false, destroyUpgrade: false });
    this.io.use((socket, next) => {
      const authorize = options.authorizeHandshake;
      if (!authorize) return next();
      authorize(socket.handshake.headers)
        .then((refusal) => next(refusal ? new Error(refusal) : undefined))
        .catch(() => next(new Error("authentication failed")));
    });
    this.io.on("connection", (socket) => this.onConnection(socket));
    this.timer = setInterval(() => this.flushQuotes(), options.quoteIntervalMs ?? 100);
    this.timer.unref();
    this.subscribe();
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
