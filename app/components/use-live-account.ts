"use client";

import { useEffect, useState } from "react";
import { io, type Socket } from "socket.io-client";
import { SOCKET_PATH, type ClientToServerEvents, type ServerToClientEvents } from "@/lib/adapters/realtime/events";
import type { DashboardSnapshot } from "@/lib/services/account-view";

export type FeedState = "connecting" | "live" | "stale";

const EMPTY: DashboardSnapshot = {
  connection: "disconnected",
  account: { account: "", currency: "USD", netLiquidation: null, totalCash: null, buyingPower: null, unrealizedPnl: null, realizedPnl: null },
  positions: [],
  orders: [],
  fills: [],
  quotes: [],
};

/** The account as the server sees it: a snapshot on (re)connect, then deltas. */
export function useLiveAccount(): { snapshot: DashboardSnapshot; feed: FeedState } {
  const [snapshot, setSnapshot] = useState<DashboardSnapshot>(EMPTY);
  const [feed, setFeed] = useState<FeedState>("connecting");

  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ path: SOCKET_PATH, transports: ["websocket"] });
    const patch = (change: Partial<DashboardSnapshot>) => setSnapshot((current) => ({ ...current, ...change }));
    socket.on("connect", () => setFeed("live"));
    socket.on("disconnect", () => setFeed("stale"));
    socket.on("connect_error", () => setFeed("stale"));
    socket.on("snapshot", (next) => setSnapshot(next));
    socket.on("connection", (connection) => patch({ connection }));
    socket.on("account", (account) => patch({ account }));
    socket.on("positions", (positions) => patch({ positions }));
    socket.on("orders", (orders) => patch({ orders }));
    socket.on("fills", (fills) => patch({ fills }));
    socket.on("quotes", (quotes) =>
      setSnapshot((current) => {
        const bySymbol = new Map(current.quotes.map((quote) => [quote.symbol, quote]));
        for (const quote of quotes) bySymbol.set(quote.symbol, quote);
        return { ...current, quotes: [...bySymbol.values()] };
      }),
    );
    return () => {
      socket.disconnect();
    };
  }, []);

  return { snapshot, feed };
}
