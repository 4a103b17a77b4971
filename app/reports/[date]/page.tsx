import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePageSession, HttpError } from "@/lib/auth";
import type { DayReport } from "@/lib/core/reports";
import { formatPrice, formatQuantity, pnlClass } from "@/app/components/format";
import { WaterfallChart } from "@/app/components/charts/waterfall-chart";
import { LineChart } from "@/app/components/charts/line-chart";
import { reportsService } from "../service";
import { BreakdownTable, Summary } from "../sections";
import { exchangeDateTime, exchangeTime, holding } from "../format";
import { TableHead } from "@/app/components/table-head";

export const dynamic = "force-dynamic";

type Params = Promise<{ date: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Report ${(await params).date} · Kestrel` };
}

/** One trading day: summary, breakdowns, charts, every fill, round trips, reconciliation, manual actions. */
export default async function DayReportPage({ params }: { params: Params }) {
  await requirePageSession("read");
  const service = reportsService();
  const { date } = await params;
  let day: string;
  try {
    day = service.parseDay(date);
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) notFound();
    throw error;
  }
  const report = await service.report(day);
  const currency = report.summary.currencies.join("/") || "USD";
  const time = (instant: number) => exchangeTime(instant, report.timeZone);
  return (
    <main className="mx-auto flex max-w-6xl flex-col gap-8 px-4 py-8 print:max-w-none print:gap-4 print:p-0">
      <header className="flex flex-wrap items-baseline justify-between gap-4">
        <h1 className="text-2xl font-semibold">Daily report {report.day}</h1>
        <nav className="flex gap-4 print:hidden" aria-label="Report actions">
          <Link href="/reports" className="underline">
            All days
          </Link>
          <a href={`/reports/${report.day}/xlsx`} className="rounded border border-slate-300 px-3 py-1 dark:border-slate-700" download>
            Download XLSX
          </a>
          <a href={`/reports/${report.day}/csv`} className="rounded border border-slate-300 px-3 py-1 dark:border-slate-700" download>
            Download CSV
          </a>
        </nav>
      </header>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {report.exchange}, times in {report.timeZone}.{" "}
        {report.tradingDay ? (report.session?.earlyClose ? "Early close." : "") : "The exchange does not trade on this day."}
      </p>
      <ReconciliationBanner report={report} />
      <Summary report={report} currency={currency} />
      <section className="grid gap-6 md:grid-cols-2 print:break-inside-avoid">
        <BreakdownTable title="By strategy" rows={report.byStrategy} />
        <BreakdownTable title="By symbol" rows={report.bySymbol} />
      </section>
      <section className="flex flex-col gap-2 print:break-inside-avoid">
        <h2 className="text-lg font-semibold">Realized P&L per trade</h2>
        <WaterfallChart bars={report.waterfall} title="Realized P&L waterfall" currency={currency} />
      </section>
      <section className="flex flex-col gap-2 print:break-inside-avoid">
        <h2 className="text-lg font-semibold">Equity curve (net realized)</h2>
        <LineChart points={report.equityCurve} title="Net realized P&L through the day" formatTime={time} />
      </section>
      <FillsTable report={report} />
      <TripsTable report={report} />
      <Events report={report} />
    </main>
  );
}

function ReconciliationBanner({ report }: { report: DayReport }) {
  const recon = report.reconciliation;
  if (!recon) return <p className="text-sm">Not reconciled with the broker (no broker source configured).</p>;
  if (recon.status === "matched") {
    return (
      <p role="status" data-testid="reconciliation" className="text-sm text-emerald-700 dark:text-emerald-400">
        Reconciled with the {recon.source}: {recon.brokerFills} fills, commissions {formatPrice(recon.brokerCommissions)}.
      </p>
    );
  }
  return (
    <section role="alert" data-testid="reconciliation" className="rounded border border-rose-400 p-3 text-sm text-rose-800 dark:text-rose-300">
      <p className="font-semibold">
        {recon.status === "unavailable"
          ? `Could not reconcile with the ${recon.source}: ${recon.error ?? "no answer"}.`
          : `Mismatch with the ${recon.source}: journal ${recon.journalFills} fills / ${formatPrice(recon.journalCommissions)} commissions, broker ${recon.brokerFills} / ${formatPrice(recon.brokerCommissions)}.`}
      </p>
      <ul className="list-disc pl-5 font-mono text-xs">
        {recon.issues.slice(0, 50).map((issue, index) => (
          <li key={index}>
            {issue.execId}: {issue.kind.replaceAll("_", " ")}
            {issue.field ? ` ${issue.field} journal=${String(issue.journal)} broker=${String(issue.broker)}` : ""}
          </li>
        ))}
      </ul>
    </section>
  );
}

function FillsTable({ report }: { report: DayReport }) {
  return (
    <section className="flex flex-col gap-2">
      <h2 className="text-lg font-semibold">Fills ({report.fills.length})</h2>
      {report.fills.length === 0 ? (
        <p data-testid="no-fills">No fills on this day.</p>
      ) : (
        <table className="w-full text-left text-sm" aria-label="Fills">
          <TableHead columns={["Time", "Symbol", "Side", { label: "Quantity", numeric: true }, { label: "Price", numeric: true }, { label: "Commission", numeric: true }, { label: "Realized P&L", numeric: true }, "Strategy", "Order ref"]} />
          <tbody>
            {report.fills.map((row) => (
              <tr key={row.execId} data-testid="report-fill" className="border-t border-slate-200 dark:border-slate-800">
                <td className="tabular-nums">{exchangeTime(row.time, report.timeZone)}</td>
                <td>{row.symbol}</td>
                <td>{row.side}</td>
                <td className="text-right tabular-nums">{formatQuantity(row.quantity)}</td>
                <td className="text-right tabular-nums">{formatPrice(row.price)}</td>
                <td className="text-right tabular-nums">{row.commissionMissing ? "pending" : formatPrice(row.commission)}</td>
                <td className={`text-right tabular-nums ${pnlClass(row.realizedPnl)}`}>{formatPrice(row.realizedPnl)}</td>
                <td>{row.strategy}</td>
                <td className="font-mono text-xs">{row.orderRef ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function TripsTable({ report }: { report: DayReport }) {
  if (report.roundTrips.length === 0) return null;
  return (
    <section className="flex flex-col gap-2">
      <h2 className="text-lg font-semibold">Round trips</h2>
      <table className="w-full text-left text-sm" aria-label="Round trips">
        <TableHead columns={["Symbol", "Direction", "Entry", "Exit", "Holding", { label: "Quantity", numeric: true }, { label: "Entry price", numeric: true }, { label: "Exit price", numeric: true }, { label: "Net P&L", numeric: true }]} />
        <tbody>
          {report.roundTrips.map((trip) => (
            <tr key={trip.id} className="border-t border-slate-200 dark:border-slate-800">
              <td>{trip.symbol}</td>
              <td>{trip.direction}</td>
              <td className="tabular-nums">{exchangeDateTime(trip.entryTime, report.timeZone)}</td>
              <td className="tabular-nums">{trip.exitTime === null ? "open" : exchangeDateTime(trip.exitTime, report.timeZone)}</td>
              <td>{holding(trip.holdingMs)}</td>
              <td className="text-right tabular-nums">{formatQuantity(trip.quantity)}</td>
              <td className="text-right tabular-nums">{formatPrice(trip.entryPrice)}</td>
              <td className="text-right tabular-nums">{formatPrice(trip.exitPrice)}</td>
              <td className={`text-right tabular-nums ${pnlClass(trip.netPnl)}`}>{formatPrice(trip.netPnl)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Events({ report }: { report: DayReport }) {
  return (
    <section className="flex flex-col gap-2">
      <h2 className="text-lg font-semibold">Risk events and manual actions</h2>
      {report.riskEvents.length === 0 && report.manualActions.length === 0 && <p>None on this day.</p>}
      <ul className="text-sm">
        {report.riskEvents.map((event, index) => (
          <li key={`risk-${index}`}>
            {exchangeTime(event.at, report.timeZone)} risk {event.kind}: {event.detail}
          </li>
        ))}
        {report.manualActions.map((action, index) => (
          <li key={`audit-${index}`} data-testid="manual-action">
            {exchangeTime(action.at, report.timeZone)} {action.actor} ({action.source}) {action.action}: {action.result}
          </li>
        ))}
      </ul>
    </section>
  );
}
