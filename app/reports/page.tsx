import type { Metadata } from "next";
import Link from "next/link";
import { requirePageSession } from "@/lib/auth";
import { formatPrice, pnlClass } from "@/app/components/format";
import { reportsService } from "./service";
import { TableHead } from "@/app/components/table-head";
import { PageHeader } from "@/app/components/page-header";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Daily reports · Kestrel" };

/** Trading days with fills or a stored report, newest first, with the day's P&L. */
export default async function ReportsPage() {
  await requirePageSession("read");
  const service = reportsService();
  const days = await service.listDays();
  return (
    <main className="mx-auto flex max-w-5xl flex-col gap-6 px-4 py-8">
      <PageHeader title="Daily reports" />
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Trading days of {service.calendar.exchange.name} ({service.calendar.timeZone}). A day is frozen into a report after its session closes.
      </p>
      {days.length === 0 ? (
        <p>No fills yet.</p>
      ) : (
        <table className="w-full text-left text-sm" aria-label="Trading days">
          <TableHead columns={["Day", { label: "Fills", numeric: true }, { label: "Realized P&L", numeric: true }, { label: "Net", numeric: true }, "Report"]} />
          <tbody>
            {days.map((entry) => (
              <tr key={entry.day} data-testid="report-day" className="border-t border-slate-200 dark:border-slate-800">
                <td>
                  <Link href={`/reports/${entry.day}`} className="underline">
                    {entry.day}
                  </Link>
                </td>
                <td className="text-right tabular-nums">{entry.fills}</td>
                <td className={`text-right tabular-nums ${pnlClass(entry.realizedPnl)}`}>{formatPrice(entry.realizedPnl)}</td>
                <td className={`text-right tabular-nums ${pnlClass(entry.net)}`}>{formatPrice(entry.net)}</td>
                <td>{entry.stored ? `frozen (${entry.reconciled.replace("_", " ")})` : "live"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
