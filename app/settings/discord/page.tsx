import type { Metadata } from "next";
import Link from "next/link";
import { requirePageSession } from "@/lib/auth";
import { getAppContext } from "@/lib/runtime/context";
import { DiscordSettingsForm } from "./discord-settings-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Discord · Kestrel" };

export default async function DiscordSettingsPage() {
  await requirePageSession("admin");
  const view = getAppContext().services.discord.settings.view();
  return (
    <main className="mx-auto flex max-w-4xl flex-col gap-8 px-4 py-8">
      <header className="flex items-baseline justify-between">
        <h1 className="text-2xl font-semibold">Discord</h1>
        <Link href="/settings/security" className="underline">
          Security settings
        </Link>
      </header>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Alerts go to a channel through a webhook; commands (<code>/status</code>, <code>/positions</code>, <code>/orders</code>, <code>/pnl</code>,{" "}
        <code>/halt</code>, <code>/resume</code>, <code>/flatten</code>) need a bot token. Secrets are write-only: this page shows whether they are set,
        never their value.
      </p>
      <DiscordSettingsForm view={view} />
    </main>
  );
}
