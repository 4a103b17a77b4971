"use client";

import { useEffect, useState } from "react";
import { io, type Socket } from "socket.io-client";
import { SOCKET_PATH, type ClientToServerEvents, type ServerToClientEvents } from "@/lib/adapters/realtime/events";
import { applyDelta } from "@/lib/adapters/realtime/apply-delta";
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
    socket.on("connect", () => setFeed("live"));
    socket.on("disconnect", () => setFeed("stale"));
    socket.on("connect_error", () => setFeed("stale"));
    socket.on("snapshot", (next) => setSnapshot(next));
    socket.on("delta", (delta) => setSnapshot((current) => applyDelta(current, delta)));
    return () => {
      socket.disconnect();
    };
  }, []);

  return { snapshot, feed };
}
