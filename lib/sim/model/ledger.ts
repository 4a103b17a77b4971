/** The ledger: the simulator's own truth, in plain JSON-friendly records, for tests to reconcile against. */

export interface LedgerOrder {
  orderId: number;
  clientId: number;
  permId: number;
  parentId: number;
  symbol: string;
  conId: number;
  action: "BUY" | "SELL";
  totalQuantity: number;
  orderType: string;
  lmtPrice: number | null;
  auxPrice: number | null;
  tif: string;
  ocaGroup: string;
  orderRef: string;
  status: string;
  filled: number;
  remaining: number;
  avgFillPrice: number;
}

export interface LedgerExecution {
  execId: string;
  orderId: number;
  clientId: number;
  permId: number;
  symbol: string;
  conId: number;
  side: "BOT" | "SLD";
  shares: number;
  price: number;
  /** As sent on the wire (`yyyyMMdd HH:mm:ss US/Eastern`). */
  time: string;
  /** ISO-8601 UTC instant of the same time. */
  timestamp: string;
}

export interface LedgerCommission {
  execId: string;
  amount: number;
  currency: string;
  /** null on opening fills (sent as Double.MAX_VALUE). */
  realizedPnl: number | null;
}

export interface LedgerPosition {
  symbol: string;
  conId: number;
  currency: string;
  qty: number;
  avgCost: number;
}

export interface SimLedger {
  account: string;
  /** Cash in the base currency (USD). */
  cash: number;
  cashByCurrency: Record<string, number>;
  realizedPnl: number;
  orders: LedgerOrder[];
  executions: LedgerExecution[];
  commissions: LedgerCommission[];
  positions: LedgerPosition[];
}
