"use client";

import { useEffect, useState } from "react";
import { io, type Socket } from "socket.io-client";
import { SOCKET_PATH, type ClientToServerEvents, type ServerToClientEvents } from "@/lib/adapters/realtime/events";
import { applyDelta } from "@/lib/adapters/realtime/apply-delta";
import type { DashboardSnapshot } from "@/lib/services/account-view";
import { mergeAlerts, type AlertHistoryEntry } from "@/lib/services/alert-history-entry";

export type FeedState = "connecting" | "live" | "stale";

const EMPTY: DashboardSnapshot = {
  connection: "disconnected",
  account: { account: "", currency: "USD", netLiquidation: null, totalCash: null, buyingPower: null, unrealizedPnl: null, realizedPnl: null },
  positions: [],
  orders: [],
  fills: [],
  quotes: [],
};

/** Alerts pushed while the page is open are kept up to this many (older ones are paged in over HTTP). */
const LIVE_ALERTS_KEPT = 500;

/** The sign-in page, saying why, and back to this page afterwards. */
function signInAgainPath(location: Location): string {
  return `/login?${new URLSearchParams({ error: "session_ended", next: location.pathname + location.search })}`;
}

/** The account as the server sees it: a snapshot on (re)connect, then deltas; the alert history's newest alerts likewise. */
export function useLiveAccount(): { snapshot: DashboardSnapshot; feed: FeedState; alerts: AlertHistoryEntry[] } {
  const [snapshot, setSnapshot] = useState<DashboardSnapshot>(EMPTY);
  const [feed, setFeed] = useState<FeedState>("connecting");
  const [alerts, setAlerts] = useState<AlertHistoryEntry[]>([]);

  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ path: SOCKET_PATH, transports: ["websocket"] });
    socket.on("connect", () => setFeed("live"));
    socket.on("disconnect", () => setFeed("stale"));
    socket.on("connect_error", () => setFeed("stale"));
    socket.on("snapshot", (next) => setSnapshot(next));
    socket.on("delta", (delta) => setSnapshot((current) => applyDelta(current, delta)));
    socket.on("alerts", (latest) => setAlerts(latest));
    socket.on("alert", (alert) => setAlerts((current) => mergeAlerts(current, [alert], LIVE_ALERTS_KEPT)));
    socket.on("sessionEnded", () => window.location.assign(signInAgainPath(window.location)));
    return () => {
      socket.disconnect();
    };
  }, []);

  return { snapshot, feed, alerts };
}
