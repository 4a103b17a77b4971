import type { Breakdown, DayReport } from "@/lib/core/reports";
import { formatMoney, formatPrice, pnlClass } from "@/app/components/format";
import { TableHead } from "@/app/components/table-head";

export function Summary({ report, currency }: { report: DayReport; currency: string }) {
  const { summary } = report;
  const items: [string, string, number | null][] = [
    ["Realized P&L", formatMoney(summary.realizedPnl, currency), summary.realizedPnl],
    ["Commissions", formatMoney(summary.commissions, currency), null],
    ["Net (gross − commissions)", formatMoney(summary.net, currency), summary.net],
    ["Trades", String(summary.trades), null],
    ["Fills", String(summary.fills), null],
    ["Win rate", summary.winRate === null ? "—" : `${(summary.winRate * 100).toFixed(1)}%`, null],
    ["Largest win", formatMoney(summary.largestWin, currency), summary.largestWin],
    ["Largest loss", formatMoney(summary.largestLoss, currency), summary.largestLoss],
  ];
  return (
    <section aria-label="Summary">
      <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4">
        {items.map(([label, value, sign]) => (
          <div key={label} className="rounded border border-slate-200 p-3 dark:border-slate-800 print:border-slate-400">
            <dt className="text-xs uppercase text-slate-500">{label}</dt>
            <dd className={`text-lg tabular-nums ${pnlClass(sign)}`} data-testid={`summary-${label.split(" ")[0].toLowerCase()}`}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function BreakdownTable({ title, rows }: { title: string; rows: readonly Breakdown[] }) {
  return (
    <div>
      <h2 className="text-lg font-semibold">{title}</h2>
      <table className="w-full text-left text-sm" aria-label={title}>
        <TableHead columns={["Name", { label: "Fills", numeric: true }, { label: "Trades", numeric: true }, { label: "Realized", numeric: true }, { label: "Commissions", numeric: true }, { label: "Net", numeric: true }]} />
        <tbody>
          {rows.map((row) => (
            <tr key={row.key} className="border-t border-slate-200 dark:border-slate-800">
              <td>{row.key}</td>
              <td className="text-right tabular-nums">{row.fills}</td>
              <td className="text-right tabular-nums">{row.closedTrips}</td>
              <td className={`text-right tabular-nums ${pnlClass(row.realizedPnl)}`}>{formatPrice(row.realizedPnl)}</td>
              <td className="text-right tabular-nums">{formatPrice(row.commissions)}</td>
              <td className={`text-right tabular-nums ${pnlClass(row.net)}`}>{formatPrice(row.net)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
