"use client";

import type { DashboardSnapshot, PositionRow } from "@/lib/services/account-view";
import type { Quote } from "@/lib/adapters/ibkr/gateway-client";
import { useState } from "react";
import { FlattenPanel } from "./flatten-panel";
import { ControlsPanel, FlatByCountdown, TradingStateBadge } from "./controls-panel";
import { describe, useOverviewStatus, type OverviewStatus } from "./overview-status";
import { postJson } from "./post-json";
import { UserMenu, type SignedInUser } from "./user-menu";
import { formatMoney, formatPrice, formatQuantity, formatTime, pnlClass } from "./format";
import { useLiveAccount, type FeedState } from "./use-live-account";
import { AlertsFeed } from "./alerts-feed";

export function Dashboard({ user }: { user: SignedInUser }) {
  const { snapshot, feed, alerts } = useLiveAccount();
  const { status, error, refresh } = useOverviewStatus();
  const positions = withLivePrices(snapshot.positions, snapshot.quotes);
  return (
    <div className="mx-auto flex max-w-7xl flex-col gap-6 p-4 sm:p-6">
      <header className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">Kestrel</h1>
        <ConnectionBadges broker={snapshot.connection} feed={feed} account={snapshot.account.account} />
        <UserMenu user={user} />
      </header>
      <KillSwitch user={user} status={status} disabled={snapshot.connection !== "connected" || feed !== "live"} onChanged={refresh} />
      <AccountCards snapshot={snapshot} />
      <GatewayPanel status={status} error={error} />
      <PositionsTable rows={positions} currency={snapshot.account.currency} canTrade={user.canTrade} />
      <OrdersTable snapshot={snapshot} canTrade={user.canTrade} />
      <FillsTable snapshot={snapshot} />
      <AlertsFeed live={alerts} feed={feed} />
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
    { label: "Commissions today", value: commissionsPaid(snapshot), testId: "commissions", pnl: true },
  ];
  return (
    <section aria-label="Account" className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
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

function PositionsTable({ rows, currency, canTrade }: { rows: PositionRow[]; currency: string; canTrade: boolean }) {
  const [message, setMessage] = useState<{ text: string; failed: boolean } | null>(null);
  async function flattenSymbol(symbol: string) {
    if (!window.confirm(`Close the whole ${symbol} position at market?`)) return;
    const outcome = await postJson<{ message?: string }>("/api/controls/flatten-symbol", { symbol });
    setMessage(outcome.ok ? { text: outcome.body?.message ?? `${symbol} flattened.`, failed: false } : { text: outcome.message, failed: true });
  }
  return (
    <>
    {message && (
      <p role={message.failed ? "alert" : "status"} className={message.failed ? "text-rose-700 dark:text-rose-400" : "text-emerald-700 dark:text-emerald-400"}>
        {message.text}
      </p>
    )}
    <Table
      title="Positions"
      count={rows.length}
      empty="No positions."
      headers={[{ label: "Symbol" }, { label: "Quantity", numeric: true }, { label: "Avg cost", numeric: true }, { label: "Last", numeric: true }, { label: `Unrealized P&L (${currency})`, numeric: true }, ...(canTrade ? [{ label: "Action" }] : [])]}
    >
      {rows.map((row) => (
        <tr key={row.symbol} data-testid={`position-${row.symbol}`} className="border-t border-slate-100 dark:border-slate-800">
          <th scope="row" className="px-4 py-2 text-left font-medium">{row.symbol}</th>
          <td className="num px-4 py-2" data-testid="quantity">{formatQuantity(row.quantity)}</td>
          <td className="num px-4 py-2">{formatPrice(row.avgCost)}</td>
          <td className="num px-4 py-2" data-testid="last-price">{formatPrice(row.marketPrice)}</td>
          <td className={`num px-4 py-2 ${pnlClass(row.unrealizedPnl)}`}>{formatPrice(row.unrealizedPnl)}</td>
          {canTrade && (
            <td className="px-4 py-1">
              {row.quantity !== 0 && (
                <button type="button" onClick={() => flattenSymbol(row.symbol)} aria-label={`Flatten ${row.symbol}`} className="rounded border border-rose-400 px-2 py-1 text-xs text-rose-800 dark:text-rose-300">
                  Flatten
                </button>
              )}
            </td>
          )}
        </tr>
      ))}
    </Table>
    </>
  );
}

function OrdersTable({ snapshot, canTrade }: { snapshot: DashboardSnapshot; canTrade: boolean }) {
  const [confirming, setConfirming] = useState<number | null>(null);
  const [message, setMessage] = useState<{ text: string; failed: boolean } | null>(null);
  async function cancelOrder(orderId: number) {
    setConfirming(null);
    setMessage({ text: `Cancelling order ${orderId}…`, failed: false });
    const outcome = await postJson<{ message?: string }>("/api/controls/cancel-order", { orderId });
    setMessage(outcome.ok ? { text: outcome.body?.message ?? `Order ${orderId} cancelled.`, failed: false } : { text: outcome.message, failed: true });
  }
  return (
    <>
    {message && (
      <p role={message.failed ? "alert" : "status"} data-testid="cancel-order-result" className={message.failed ? "text-rose-700 dark:text-rose-400" : "text-emerald-700 dark:text-emerald-400"}>
        {message.text}
      </p>
    )}
    <Table
      title="Working orders"
      count={snapshot.orders.length}
      empty="No working orders."
      headers={[{ label: "Id", numeric: true }, { label: "Symbol" }, { label: "Side" }, { label: "Type" }, { label: "Quantity", numeric: true }, { label: "Limit", numeric: true }, { label: "Filled", numeric: true }, { label: "Status" }, ...(canTrade ? [{ label: "Action" }] : [])]}
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
          {canTrade && (
            <td className="px-4 py-1">
              {confirming === order.orderId ? (
                <span role="alertdialog" aria-label={`Confirm cancel of order ${order.orderId}`} className="flex gap-2">
                  <button type="button" onClick={() => cancelOrder(order.orderId)} className="rounded bg-rose-700 px-2 py-1 text-xs font-semibold text-white">
                    Confirm cancel
                  </button>
                  <button type="button" onClick={() => setConfirming(null)} className="rounded border border-slate-400 px-2 py-1 text-xs">
                    Keep
                  </button>
                </span>
              ) : (
                <button type="button" onClick={() => setConfirming(order.orderId)} aria-label={`Cancel order ${order.orderId}`} className="rounded border border-rose-400 px-2 py-1 text-xs text-rose-800 dark:text-rose-300">
                  Cancel
                </button>
              )}
            </td>
          )}
        </tr>
      ))}
    </Table>
    </>
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

function KillSwitch({ user, status, disabled, onChanged }: { user: SignedInUser; status: OverviewStatus | null; disabled: boolean; onChanged: () => void }) {
  const mode = status?.trading?.mode ?? null;
  return (
    <section aria-label="Kill switch" className="flex flex-col gap-3 rounded-lg border border-rose-200 bg-rose-50 p-4 dark:border-rose-900 dark:bg-rose-950/40">
      <div className="flex flex-wrap items-center gap-3">
        <span className="text-sm font-medium">Trading state</span>
        <TradingStateBadge mode={mode} />
        {status?.trading?.reason && <span className="text-sm text-slate-600 dark:text-slate-400">{status.trading.reason}</span>}
        <FlatByCountdown flatBy={status?.flatBy ?? null} />
      </div>
      {user.canTrade ? (
        <>
          <FlattenPanel disabled={disabled} />
          <ControlsPanel mode={mode} loading={status === null} available={Boolean(status?.trading)} onChanged={onChanged} />
        </>
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-400">View-only account: the controls are hidden.</p>
      )}
    </section>
  );
}

function GatewayPanel({ status, error }: { status: OverviewStatus | null; error: string | null }) {
  const health = status?.health;
  const farms = Object.entries(health?.farms ?? {});
  const entitlements = Object.entries(health?.entitlements ?? {});
  return (
    <section aria-label="Gateway health" className="rounded-lg border border-slate-200 bg-white p-4 text-sm dark:border-slate-800 dark:bg-slate-900">
      <h2 className="mb-2 font-semibold">Gateway</h2>
      {error && <p role="alert" className="mb-2 text-rose-700 dark:text-rose-400">Status unavailable: {error}</p>}
      <dl className="grid grid-cols-1 gap-x-6 gap-y-1 sm:grid-cols-2 lg:grid-cols-4">
        <div><dt className="inline text-slate-500">Connection: </dt><dd className="inline">{health?.state ?? "—"}</dd></div>
        <div><dt className="inline text-slate-500">Client id: </dt><dd className="inline">{health?.clientId ?? "—"}</dd></div>
        <div><dt className="inline text-slate-500">Next reset window: </dt><dd className="inline">{health?.nextResetWindow === undefined ? "not reported" : describe(health.nextResetWindow)}</dd></div>
        <div><dt className="inline text-slate-500">Guardian: </dt><dd className="inline">{status?.guardian?.tier ?? "not available"}</dd></div>
        <div className="sm:col-span-2"><dt className="inline text-slate-500">Farms: </dt><dd className="inline">{farms.length === 0 ? "not reported" : farms.map(([name, state]) => `${name} ${describe(state)}`).join(", ")}</dd></div>
        <div className="sm:col-span-2"><dt className="inline text-slate-500">Data entitlement: </dt><dd className="inline">{entitlements.length === 0 ? "not reported" : entitlements.map(([symbol, kind]) => `${symbol} ${describe(kind)}`).join(", ")}</dd></div>
      </dl>
    </section>
  );
}

/** Commissions as a cost (negative), never "-0.00". */
function commissionsPaid(snapshot: DashboardSnapshot): number {
  const paid = snapshot.fills.reduce((sum, fill) => sum + (fill.commission ?? 0), 0);
  return paid === 0 ? 0 : -paid;
}
