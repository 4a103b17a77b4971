import { EventEmitter } from "node:events";
import type {
  BrokerCommission,
  BrokerExecution,
  BrokerOrder,
  BrokerOrderStatus,
  BrokerPosition,
} from "@/lib/adapters/ibkr/mapping";
import type { Side } from "@/lib/core/model/order";
import { isWorkingStatus } from "@/lib/adapters/ibkr/mapping";
import type { ConnectionState, Quote } from "@/lib/adapters/ibkr/gateway-client";

export interface AccountSummary {
  account: string;
  currency: string;
  netLiquidation: number | null;
  totalCash: number | null;
  buyingPower: number | null;
  unrealizedPnl: number | null;
  realizedPnl: number | null;
}

export interface PositionRow {
  symbol: string;
  quantity: number;
  avgCost: number;
  marketPrice: number | null;
  unrealizedPnl: number | null;
}

export interface OrderRow {
  orderId: number;
  symbol: string;
  side: Side;
  orderType: string;
  quantity: number;
  limitPrice: number | null;
  filled: number;
  status: string;
}

export interface FillRow {
  execId: string;
  orderId: number;
  symbol: string;
  side: Side;
  shares: number;
  price: number;
  executedAt: string;
  commission: number | null;
  realizedPnl: number | null;
}

export interface DashboardSnapshot {
  connection: ConnectionState;
  account: AccountSummary;
  positions: PositionRow[];
  orders: OrderRow[];
  fills: FillRow[];
  quotes: Quote[];
}

export interface AccountViewEvents {
  connection: [state: ConnectionState];
  account: [summary: AccountSummary];
  positions: [rows: PositionRow[]];
  orders: [rows: OrderRow[]];
  fills: [rows: FillRow[]];
  quote: [quote: Quote];
}

const ACCOUNT_KEYS: Record<string, keyof Omit<AccountSummary, "account" | "currency">> = {
  NetLiquidation: "netLiquidation",
  TotalCashValue: "totalCash",
  BuyingPower: "buyingPower",
  UnrealizedPnL: "unrealizedPnl",
  RealizedPnL: "realizedPnl",
};

/**
 * The live picture of the account the dashboard shows, folded from broker events.
 * Pure state: it knows nothing of sockets or databases, and emits what changed.
 */
export class AccountView extends EventEmitter<AccountViewEvents> {
  private connection: ConnectionState = "disconnected";
  private account: AccountSummary = {
    account: "",
    currency: "USD",
    netLiquidation: null,
    totalCash: null,
    buyingPower: null,
    unrealizedPnl: null,
    realizedPnl: null,
  };
  private readonly positions = new Map<string, BrokerPosition>();
  private readonly orders = new Map<number, OrderRow>();
  private readonly fills = new Map<string, FillRow>();
  private readonly quotes = new Map<string, Quote>();
  private readonly pendingCommissions = new Map<string, BrokerCommission>();

  constructor(private readonly isToday: (instant: Date) => boolean) {
    super();
  }

  snapshot(): DashboardSnapshot {
    return {
      connection: this.connection,
      account: { ...this.account },
      positions: this.positionRows(),
      orders: this.orderRows(),
      fills: this.fillRows(),
      quotes: [...this.quotes.values()].map((quote) => ({ ...quote })),
    };
  }

  openPositions(): BrokerPosition[] {
    return [...this.positions.values()].filter((position) => position.quantity !== 0);
  }

  workingOrders(): OrderRow[] {
    return this.orderRows();
  }

  setConnection(state: ConnectionState): void {
    this.connection = state;
    this.emit("connection", state);
  }

  applyAccountValue(key: string, value: string, currency: string, account: string): void {
    const field = ACCOUNT_KEYS[key];
    if (!field || (currency && currency !== "BASE" && currency !== this.account.currency)) return;
    const amount = Number(value);
    if (!Number.isFinite(amount)) return;
    this.account = { ...this.account, account, [field]: amount };
    this.emit("account", { ...this.account });
  }

  applyPosition(position: BrokerPosition): void {
    this.positions.set(position.symbol, position);
    this.emit("positions", this.positionRows());
  }

  applyOpenOrder(order: BrokerOrder): void {
    const existing = this.orders.get(order.orderId);
    this.orders.set(order.orderId, {
      orderId: order.orderId,
      symbol: order.symbol,
      side: order.side,
      orderType: order.orderType,
      quantity: order.quantity,
      limitPrice: order.limitPrice,
      filled: existing?.filled ?? 0,
      status: existing && !isWorkingStatus(existing.status) ? existing.status : order.status,
    });
    this.emit("orders", this.orderRows());
  }

  applyOrderStatus(status: BrokerOrderStatus): void {
    const existing = this.orders.get(status.orderId);
    if (!existing) return;
    this.orders.set(status.orderId, { ...existing, status: status.status, filled: status.filled });
    this.emit("orders", this.orderRows());
  }

  applyExecution(execution: BrokerExecution): void {
    if (!this.isToday(execution.executedAt) || this.fills.has(execution.execId)) return;
    const commission = this.pendingCommissions.get(execution.execId);
    this.pendingCommissions.delete(execution.execId);
    this.fills.set(execution.execId, {
      execId: execution.execId,
      orderId: execution.orderId,
      symbol: execution.symbol,
      side: execution.side,
      shares: execution.shares,
      price: execution.price,
      executedAt: execution.executedAt.toISOString(),
      commission: commission?.commission ?? null,
      realizedPnl: commission?.realizedPnl ?? null,
    });
    this.emit("fills", this.fillRows());
  }

  applyCommission(commission: BrokerCommission): void {
    const fill = this.fills.get(commission.execId);
    if (!fill) {
      this.pendingCommissions.set(commission.execId, commission);
      return;
    }
    this.fills.set(commission.execId, { ...fill, commission: commission.commission, realizedPnl: commission.realizedPnl });
    this.emit("fills", this.fillRows());
  }

  applyQuote(quote: Quote): void {
    this.quotes.set(quote.symbol, quote);
    this.emit("quote", quote);
  }

  private positionRows(): PositionRow[] {
    return [...this.positions.values()]
      .map((position) => {
        const quote = this.quotes.get(position.symbol);
        const marketPrice = quote?.last ?? null;
        return {
          symbol: position.symbol,
          quantity: position.quantity,
          avgCost: position.avgCost,
          marketPrice,
          unrealizedPnl: marketPrice === null || position.quantity === 0 ? null : (marketPrice - position.avgCost) * position.quantity,
        };
      })
      .sort((a, b) => a.symbol.localeCompare(b.symbol));
  }

  private orderRows(): OrderRow[] {
    return [...this.orders.values()].filter((order) => isWorkingStatus(order.status)).sort((a, b) => a.orderId - b.orderId);
  }

  private fillRows(): FillRow[] {
    return [...this.fills.values()].sort((a, b) => b.executedAt.localeCompare(a.executedAt));
  }
}
