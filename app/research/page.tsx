import type { Metadata } from "next";
import { requirePageSession } from "@/lib/auth";
import { listSeries } from "@/lib/adapters/db/bar-store";
import { strategyNames, strategyRegistry } from "@/lib/core/strategies/registry";
import { getAppContext } from "@/lib/runtime/context";
import { ResearchView, type StrategyTemplate } from "./research-view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Research · Kestrel" };

/** A starting search space from a strategy's defaults: numbers become ranges, the rest stay fixed. */
function templateOf(name: (typeof strategyNames)[number]): StrategyTemplate {
  const parsed = strategyRegistry[name].parameters.safeParse({});
  const defaults = parsed.success ? (parsed.data as Record<string, unknown>) : {};
  const space: StrategyTemplate["space"] = {};
  const fixed: StrategyTemplate["fixed"] = {};
  for (const [key, value] of Object.entries(defaults)) {
    if (typeof value === "number" && Number.isInteger(value) && value > 0) {
      space[key] = { from: Math.max(1, Math.round(value / 2)), to: value * 2, step: Math.max(1, Math.round(value / 4)) };
    } else if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") fixed[key] = value;
  }
  return { name, description: strategyRegistry[name].description, space, fixed };
}

export default async function ResearchPage() {
  await requirePageSession("read");
  const series = await listSeries(getAppContext().prisma);
  return (
    <main className="mx-auto flex max-w-7xl flex-col gap-6 p-4 sm:p-6">
      <h1 className="text-2xl font-semibold">Research</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Sweeps run on worker processes (<code>npm run worker</code>, on this or any machine using the same database). The search never sees the final holdout span; judge a
        result by its out-of-sample figures, the deflated Sharpe and the probability of overfitting, not by the best in-sample Sharpe.
      </p>
      <ResearchView
        strategies={strategyNames.map(templateOf)}
        series={series.map((entry) => ({ id: entry.id, label: `${entry.symbol} ${entry.barSize} (${entry.barCount} bars, ${entry.source})` }))}
      />
    </main>
  );
}
