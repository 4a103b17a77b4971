import { Dashboard } from "@/app/components/dashboard";
import { getAppContext } from "@/lib/runtime/context";

export const dynamic = "force-dynamic";

export default function OverviewPage() {
  const { env } = getAppContext();
  return <Dashboard mode={env.TRADING_MODE} />;
}
