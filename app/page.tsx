import { Dashboard } from "@/app/components/dashboard";
import { can, requirePageSession } from "@/lib/auth";
import { getAppContext } from "@/lib/runtime/context";

export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const principal = await requirePageSession("read");
  const { env } = getAppContext();
  return <Dashboard mode={env.TRADING_MODE} user={{ username: principal.username, canTrade: can(principal, "trade") }} />;
}
