import type { ConnectionState, Quote } from "@/lib/adapters/ibkr/gateway-client";
import type { AccountSummary, DashboardSnapshot, FillRow, OrderRow, PositionRow } from "@/lib/services/account-view";
import type { FlattenResult } from "@/lib/services/flatten";

export const SOCKET_PATH = "/api/socket";

/** Everything the server pushes to a browser. */
export interface ServerToClientEvents {
  snapshot: (snapshot: DashboardSnapshot) => void;
  connection: (state: ConnectionState) => void;
  account: (summary: AccountSummary) => void;
  positions: (rows: PositionRow[]) => void;
  orders: (rows: OrderRow[]) => void;
  fills: (rows: FillRow[]) => void;
  quotes: (quotes: Quote[]) => void;
  flatten: (result: FlattenResult) => void;
}

/** Everything a browser may send; each payload is validated on arrival. */
export interface ClientToServerEvents {
  resync: () => void;
}
