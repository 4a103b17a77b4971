"use client";

import type { DashboardSnapshot, PositionRow } from "@/lib/services/account-view";
import type { Quote } from "@/lib/adapters/ibkr/gateway-client";
import { FlattenPanel } from "./flatten-panel";
import { UserMenu } from "./user-menu";
import { formatMoney, formatPrice, formatQuantity, formatTime, pnlClass } from "./format";
import { useLiveAccount, type FeedState } from "./use-live-account";

export interface DashboardUser {
  username: string;
  canTrade: boolean;
}

export function Dashboard({ mode, user }: { mode: "paper" | "live"; user: DashboardUser }) {
  const { snapshot, feed } = useLiveAccount();
  const positions = withLivePrices(snapshot.positions, snapshot.quotes);
  return (
    <div className="mx-auto flex max-w-7xl flex-col gap-6 p-4 sm:p-6">
      <ModeBanner mode={mode} />
      <header className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">Kestrel</h1>
        <ConnectionBadges broker={snapshot.connection} feed={feed} account={snapshot.account.account} />
        <UserMenu user={user} />
      </header>
      <AccountCards snapshot={snapshot} />
      {user.canTrade && <FlattenPanel disabled={snapshot.connection !== "connected" || feed !== "live"} />}
      <PositionsTable rows={positions} currency={snapshot.account.currency} />
      <OrdersTable snapshot={snapshot} />
      <FillsTable snapshot={snapshot} />
    </div>
  );
}

function withLivePrices(rows: PositionRow[], quotes: Quote[]): PositionRow[] {
  const last = new Map(quotes.map((quote) => [quote.symbol, quote.last]));
  return rows
    .filter((row) => row.quantity !== 0 || last.has(row.symbol))
    .map((row) => {
      const marketPrice = last.get(row.symbol) ?? row.marketPrice;
      const unrealizedPnl = marketPrice === null || row.quantity === 0 ? null : (marketPrice - row.avgCost) * row.quantity;
      return { ...row, marketPrice, unrealizedPnl };
    });
}

function ModeBanner({ mode }: { mode: "paper" | "live" }) {
  const live = mode === "live";
  return (
    <div
      role="status"
      aria-label="Trading mode"
      className={`rounded-md px-4 py-2 text-center text-sm font-bold tracking-widest ${live ? "bg-rose-600 text-white" : "bg-amber-300 text-amber-950"}`}
    >
      {live ? "LIVE TRADING — REAL MONEY" : "PAPER TRADING"}
    </div>
  );
}

function ConnectionBadges({ broker, feed, account }: { broker: DashboardSnapshot["connection"]; feed: FeedState; account: string }) {
  const brokerColour = broker === "connected" ? "bg-emerald-600" : broker === "connecting" ? "bg-amber-500" : "bg-rose-600";
  const feedColour = feed === "live" ? "bg-emerald-600" : feed === "connecting" ? "bg-amber-500" : "bg-rose-600";
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      {account && <span className="font-mono text-slate-500">{account}</span>}
      <span data-testid="broker-state" className={`rounded px-2 py-1 font-medium text-white ${brokerColour}`}>
        Broker: {broker}
      </span>
      <span data-testid="feed-state" className={`rounded px-2 py-1 font-medium text-white ${feedColour}`}>
        Feed: {feed}
      </span>
    </div>
  );
}

function AccountCards({ snapshot }: { snapshot: DashboardSnapshot }) {
  const { account } = snapshot;
  const cards = [
    { label: "Net liquidation", value: account.netLiquidation, testId: "net-liquidation" },
    { label: "Cash", value: account.totalCash, testId: "cash" },
    { label: "Buying power", value: account.buyingPower, testId: "buying-power" },
    { label: "Unrealized P&L", value: account.unrealizedPnl, testId: "unrealized-pnl", pnl: true },
    { label: "Realized P&L", value: account.realizedPnl, testId: "realized-pnl", pnl: true },
  ];
  return (
    <section aria-label="Account" className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
      {cards.map((card) => (
        <div key={card.label} className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
          <div className="text-xs uppercase tracking-wide text-slate-500">{card.label}</div>
          <div data-testid={card.testId} className={`num mt-1 text-lg font-semibold ${card.pnl ? pnlClass(card.value) : ""}`}>
            {formatMoney(card.value, account.currency)}
          </div>
        </div>
      ))}
    </section>
  );
}

function Table({ title, headers, empty, children, count }: { title: string; headers: { label: string; numeric?: boolean }[]; empty: string; children: React.ReactNode; count: number }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <h2 className="border-b border-slate-200 px-4 py-2 font-semibold dark:border-slate-800">{title}</h2>
      <div className="overflow-x-auto">
        <table aria-label={title} className="w-full text-sm">
          <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              {headers.map((header) => (
                <th key={header.label} scope="col" className={`px-4 py-2 font-medium ${header.numeric ? "num" : ""}`}>
                  {header.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{children}</tbody>
        </table>
        {count === 0 && <p className="px-4 py-3 text-sm text-slate-500">{empty}</p>}
      </div>
    </section>
  );
}

function PositionsTable({ rows, currency }: { rows: PositionRow[]; currency: string }) {
  return (
    <Table
      title="Positions"
      count={rows.length}
      empty="No positions."
      headers={[{ label: "Symbol" }, { label: "Quantity", numeric: true }, { label: "Avg cost", numeric: true }, { label: "Last", numeric: true }, { label: `Unrealized P&L (${currency})`, numeric: true }]}
    >
      {rows.map((row) => (
        <tr key={row.symbol} data-testid={`position-${row.symbol}`} className="border-t border-slate-100 dark:border-slate-800">
          <th scope="row" className="px-4 py-2 text-left font-medium">{row.symbol}</th>
          <td className="num px-4 py-2" data-testid="quantity">{formatQuantity(row.quantity)}</td>
          <td className="num px-4 py-2">{formatPrice(row.avgCost)}</td>
          <td className="num px-4 py-2" data-testid="last-price">{formatPrice(row.marketPrice)}</td>
          <td className={`num px-4 py-2 ${pnlClass(row.unrealizedPnl)}`}>{formatPrice(row.unrealizedPnl)}</td>
        </tr>
      ))}
    </Table>
  );
}

function OrdersTable({ snapshot }: { snapshot: DashboardSnapshot }) {
  return (
    <Table
      title="Working orders"
      count={snapshot.orders.length}
      empty="No working orders."
      headers={[{ label: "Id", numeric: true }, { label: "Symbol" }, { label: "Side" }, { label: "Type" }, { label: "Quantity", numeric: true }, { label: "Limit", numeric: true }, { label: "Filled", numeric: true }, { label: "Status" }]}
    >
      {snapshot.orders.map((order) => (
        <tr key={order.orderId} data-testid={`order-${order.orderId}`} className="border-t border-slate-100 dark:border-slate-800">
          <td className="num px-4 py-2">{order.orderId}</td>
          <th scope="row" className="px-4 py-2 text-left font-medium">{order.symbol}</th>
          <td className="px-4 py-2">{order.side}</td>
          <td className="px-4 py-2">{order.orderType}</td>
          <td className="num px-4 py-2">{formatQuantity(order.quantity)}</td>
          <td className="num px-4 py-2">{formatPrice(order.limitPrice)}</td>
          <td className="num px-4 py-2">{formatQuantity(order.filled)}</td>
          <td className="px-4 py-2">{order.status}</td>
        </tr>
      ))}
    </Table>
  );
}

function FillsTable({ snapshot }: { snapshot: DashboardSnapshot }) {
  return (
    <Table
      title="Today's fills"
      count={snapshot.fills.length}
      empty="No fills today."
      headers={[{ label: "Time" }, { label: "Symbol" }, { label: "Side" }, { label: "Quantity", numeric: true }, { label: "Price", numeric: true }, { label: "Commission", numeric: true }, { label: "Realized P&L", numeric: true }]}
    >
      {snapshot.fills.map((fill) => (
        <tr key={fill.execId} data-testid="fill-row" className="border-t border-slate-100 dark:border-slate-800">
          <td className="px-4 py-2 font-mono">{formatTime(fill.executedAt)}</td>
          <th scope="row" className="px-4 py-2 text-left font-medium">{fill.symbol}</th>
          <td className="px-4 py-2">{fill.side}</td>
          <td className="num px-4 py-2">{formatQuantity(fill.shares)}</td>
          <td className="num px-4 py-2">{formatPrice(fill.price)}</td>
          <td className="num px-4 py-2">{formatPrice(fill.commission)}</td>
          <td className={`num px-4 py-2 ${pnlClass(fill.realizedPnl)}`}>{formatPrice(fill.realizedPnl)}</td>
        </tr>
      ))}
    </Table>
  );
}
