import type { Metadata } from "next";
import { can, requirePageSession } from "@/lib/auth";
import { optionalServices } from "@/app/components/app-services";
import { withDefaults } from "@/app/components/strategy-defaults";
import { StrategyCards } from "./strategy-cards";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Strategies · Kestrel" };

export default async function StrategiesPage() {
  const principal = await requirePageSession("read");
  const directory = optionalServices().strategies;
  return (
    <main className="mx-auto flex max-w-7xl flex-col gap-6 p-4 sm:p-6">
      <h1 className="text-2xl font-semibold">Strategies</h1>
      {directory ? (
        <StrategyCards initial={directory.list().map((instance) => ({ ...instance, parameters: withDefaults(instance.strategy, instance.parameters) }))} canTrade={can(principal, "trade")} />
      ) : (
        <p role="status" className="rounded border border-slate-300 p-4 dark:border-slate-700">
          Strategies are not available: the strategy runner is not running on this server.
        </p>
      )}
    </main>
  );
}
