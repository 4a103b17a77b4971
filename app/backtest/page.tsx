import type { Metadata } from "next";
import { requirePageSession } from "@/lib/auth";
import { strategyNames, strategyRegistry } from "@/lib/core/strategies/registry";
import { withDefaults } from "@/app/components/strategy-defaults";
import { BacktestWorkbench, type StrategyChoice } from "./workbench";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Backtest · Kestrel" };

export default async function BacktestPage() {
  await requirePageSession("read");
  const strategies: StrategyChoice[] = strategyNames.map((name) => ({ name, description: strategyRegistry[name].description, defaults: withDefaults(name) }));
  return (
    <main className="mx-auto flex max-w-7xl flex-col gap-6 p-4 sm:p-6">
      <h1 className="text-2xl font-semibold">Backtest</h1>
      <BacktestWorkbench strategies={strategies} />
    </main>
  );
}
