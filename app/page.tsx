import { Dashboard } from "@/app/components/dashboard";
import { can, requirePageSession } from "@/lib/auth";

export const dynamic = "force-dynamic";

export default async function OverviewPage() {
  const principal = await requirePageSession("read");
  return <Dashboard user={{ username: principal.username, canTrade: can(principal, "trade") }} />;
}
