import type { ConnectionState, Quote } from "@/lib/adapters/ibkr/gateway-client";
import type { AccountSummary, DashboardSnapshot, FillRow, OrderRow, PositionRow } from "@/lib/services/account-view";
import type { FlattenResult } from "@/lib/services/flatten";
import type { BrokerHealth } from "@/lib/adapters/ibkr/broker-health";
import type { AlertHistoryEntry } from "@/lib/services/alert-history-entry";

export const SOCKET_PATH = "/api/socket";

/** What changed since the last push; each field present replaces the browser's copy (quotes merge by symbol). */
export interface DashboardDelta {
  connection?: ConnectionState;
  account?: AccountSummary;
  positions?: PositionRow[];
  orders?: OrderRow[];
  fills?: FillRow[];
  quotes?: Quote[];
}

/**
 * One delta per this many milliseconds: at most 9 a second. The budget is 10 a second as the
 * browser counts them; the spare 10 ms per push absorbs delivery jitter, which would otherwise
 * let two pushes 100 ms apart land in one browser second with nine others.
 */
export const DELTA_INTERVAL_MS = 110;

/** Everything the server pushes to a browser: a snapshot on (re)connect, then coalesced deltas. */
export interface ServerToClientEvents {
  snapshot: (snapshot: DashboardSnapshot) => void;
  delta: (delta: DashboardDelta) => void;
  flatten: (result: FlattenResult) => void;
  /** The broker session's health (connection, farms, reconcile, entitlements, mode), every few seconds. */
  health: (health: BrokerHealth) => void;
  /** The newest alerts of the history, newest first: sent with every snapshot. */
  alerts: (alerts: AlertHistoryEntry[]) => void;
  /** One new alert, pushed as it happens and never coalesced: every alert reaches the browser. */
  alert: (alert: AlertHistoryEntry) => void;
  /** The session the socket was opened with has ended (signed out, revoked or expired); the server disconnects next. */
  sessionEnded: () => void;
}

/** Everything a browser may send; each payload is validated on arrival. */
export interface ClientToServerEvents {
  resync: () => void;
}
