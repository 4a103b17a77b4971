import type { Metadata } from "next";
import Link from "next/link";
import { requirePageSession } from "@/lib/auth";
import type { LimitUsage, RiskOverview } from "@/lib/services/risk-overview";
import { optionalServices } from "@/app/components/app-services";
import { formatMoney, formatTime } from "@/app/components/format";
import { FlatByPanel } from "@/app/components/flat-by-panel";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Risk · Kestrel" };

const TIER_STYLE: Record<string, string> = {
  normal: "bg-emerald-600 text-white",
  warn: "bg-amber-400 text-amber-950",
  reducing: "bg-orange-600 text-white",
  halted: "bg-rose-700 text-white",
};

export default async function RiskPage() {
  await requirePageSession("read");
  const risk = optionalServices().risk;
  return (
    <main className="mx-auto flex max-w-7xl flex-col gap-6 p-4 sm:p-6">
      <header className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold">Risk</h1>
        <Link href="/audit" className="underline">
          Audit log of manual actions
        </Link>
      </header>
      {risk ? (
        <RiskDetails risk={risk} />
      ) : (
        <p role="status" className="rounded border border-slate-300 p-4 dark:border-slate-700">
          Risk overview not available: the risk service is not running on this server.
        </p>
      )}
    </main>
  );
}

async function RiskDetails({ risk }: { risk: RiskOverview }) {
  const guardian = risk.guardian();
  const denials = await risk.recentDenials(50);
  return (
    <>
      <section aria-label="Guardian" className="flex flex-wrap items-center gap-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
        <span className="font-semibold">Guardian tier</span>
        <span data-testid="guardian-tier" className={`rounded px-2 py-1 text-sm font-bold uppercase ${TIER_STYLE[guardian.tier] ?? ""}`}>
          {guardian.tier}
        </span>
        <span className="text-sm">Opening equity <span className="num">{formatMoney(guardian.openingEquity)}</span></span>
        <span className="text-sm">Day P&L <span className="num">{formatMoney(guardian.dayPnl)}</span></span>
        <span className="text-sm">Drawdown from peak <span className="num">{formatMoney(guardian.drawdownFromPeak)}</span></span>
      </section>
      <section aria-label="Flat by time" className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
        <h2 className="text-lg font-semibold">Flat by time</h2>
        <FlatByPanel />
      </section>
      <section aria-label="Limits" className="flex flex-col gap-3">
        <h2 className="text-lg font-semibold">Limits</h2>
        {risk.limits().map((limit) => (
          <LimitBar key={limit.name} limit={limit} />
        ))}
      </section>
      <section aria-label="Recent denials">
        <h2 className="mb-2 text-lg font-semibold">Recent denials</h2>
        {denials.length === 0 ? (
          <p className="text-sm text-slate-500">No order was denied recently.</p>
        ) : (
          <div className="overflow-x-auto">
            <table aria-label="Recent denials" className="w-full text-sm">
              <thead className="text-left text-xs uppercase text-slate-500">
                <tr>
                  <th scope="col" className="px-3 py-2">Time</th>
                  <th scope="col" className="px-3 py-2">Symbol</th>
                  <th scope="col" className="px-3 py-2">Strategy</th>
                  <th scope="col" className="px-3 py-2">Rule</th>
                  <th scope="col" className="px-3 py-2">Reason</th>
                </tr>
              </thead>
              <tbody>
                {denials.map((denial, index) => (
                  <tr key={index} className="border-t border-slate-100 dark:border-slate-800">
                    <td className="px-3 py-1 font-mono">{formatTime(denial.at)}</td>
                    <td className="px-3 py-1">{denial.symbol}</td>
                    <td className="px-3 py-1">{denial.strategy ?? "manual"}</td>
                    <td className="px-3 py-1">{denial.rule}</td>
                    <td className="px-3 py-1">{denial.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function formatLimit(value: number, unit: LimitUsage["unit"]): string {
  if (unit === "currency") return formatMoney(value);
  if (unit === "percent") return `${value.toFixed(2)}%`;
  return value.toLocaleString("en-US");
}

function LimitBar({ limit }: { limit: LimitUsage }) {
  const share = limit.limit > 0 ? Math.min(1, Math.abs(limit.used) / limit.limit) : 0;
  const colour = share >= 0.9 ? "bg-rose-600" : share >= 0.7 ? "bg-amber-500" : "bg-emerald-600";
  return (
    <div className="flex flex-col gap-1">
      <div className="flex justify-between text-sm">
        <span>{limit.name}</span>
        <span className="num">
          {formatLimit(limit.used, limit.unit)} / {formatLimit(limit.limit, limit.unit)}
        </span>
      </div>
      <div role="meter" aria-label={limit.name} aria-valuemin={0} aria-valuemax={limit.limit} aria-valuenow={Math.abs(limit.used)} className="h-3 rounded bg-slate-200 dark:bg-slate-800">
        <div className={`h-3 rounded ${colour}`} style={{ width: `${(share * 100).toFixed(1)}%` }} />
      </div>
    </div>
  );
}
