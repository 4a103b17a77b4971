import { getAppContext } from "@/lib/runtime/context";
import { createReportsService, type ReportsService } from "@/lib/services/reports";

const FALLBACK_KEY = Symbol.for("kestrel.reports-fallback");
type Holder = { [FALLBACK_KEY]?: ReportsService };

/**
 * The reports service server.ts published (`services.reports`); until it does, one built here
 * on the same database (no reconciliation, no scheduler).
 */
export function reportsService(): ReportsService {
  const context = getAppContext();
  const published = (context.services as { reports?: ReportsService }).reports;
  if (published) return published;
  const holder = globalThis as Holder;
  holder[FALLBACK_KEY] ??= createReportsService({ prisma: context.prisma, log: context.log.child({ component: "reports" }) });
  return holder[FALLBACK_KEY];
}
