import { getAppContext } from "@/lib/runtime/context";
import type { ReportsService } from "@/lib/services/reports";

/** The reports service the composition root published. */
export function reportsService(): ReportsService {
  return getAppContext().services.reports;
}
