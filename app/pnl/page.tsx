import type { Metadata } from "next";
import Link from "next/link";
import { requirePageSession, HttpError } from "@/lib/auth";
import type { ExchangeCalendar } from "@/lib/core/calendar";
import { WaterfallChart } from "@/app/components/charts/waterfall-chart";
import { LineChart } from "@/app/components/charts/line-chart";
import { reportsService } from "@/app/reports/service";
import { BreakdownTable, Summary } from "@/app/reports/sections";
import { exchangeTime } from "@/app/reports/format";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "P&L · Kestrel" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** A day's realized P&L from the reports service: the same figures as the daily report. */
export default async function PnlPage({ searchParams }: { searchParams: SearchParams }) {
  await requirePageSession("read");
  const service = reportsService();
  const requested = (await searchParams).date;
  const raw = typeof requested === "string" && requested ? requested : currentTradingDay(service.calendar);
  let day: string;
  try {
    day = service.parseDay(raw);
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return <PnlShell day={raw} message={error.message} />;
  }
  const report = await service.report(day);
  const currency = report.summary.currencies.join("/") || "USD";
  return (
    <PnlShell day={report.day}>
      <Summary report={report} currency={currency} />
      <section className="flex flex-col gap-2">
        <h2 className="text-lg font-semibold">Realized P&L per closed trade</h2>
        <WaterfallChart bars={report.waterfall} title="Realized P&L waterfall" currency={currency} />
      </section>
      <section className="flex flex-col gap-2">
        <h2 className="text-lg font-semibold">Intraday equity (net realized)</h2>
        <LineChart points={report.equityCurve} title="Net realized P&L through the day" formatTime={(instant) => exchangeTime(instant, report.timeZone)} />
      </section>
      <section className="grid gap-6 md:grid-cols-2">
        <BreakdownTable title="By strategy" rows={report.byStrategy} />
        <BreakdownTable title="By symbol" rows={report.bySymbol} />
      </section>
    </PnlShell>
  );
}

/** The trading day whose fills are being made now (a weekend's belong to the next session). */
function currentTradingDay(calendar: ExchangeCalendar): string {
  return calendar.tradingDayOf(new Date().getTime());
}

function PnlShell({ day, message, children }: { day: string; message?: string; children?: React.ReactNode }) {
  return (
    <main className="mx-auto flex max-w-7xl flex-col gap-6 p-4 sm:p-6">
      <header className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-2xl font-semibold">P&L {day}</h1>
        <form method="get" className="flex items-end gap-2" aria-label="Pick a day">
          <label className="flex flex-col text-sm">
            Day
            <input type="date" name="date" defaultValue={day} className="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900" />
          </label>
          <button type="submit" className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-semibold text-white">
            Show
          </button>
          <Link href={`/reports/${day}`} className="text-sm underline">
            Full report
          </Link>
        </form>
      </header>
      {message ? (
        <p role="alert" className="text-rose-700 dark:text-rose-400">
          {message}
        </p>
      ) : (
        children
      )}
    </main>
  );
}
