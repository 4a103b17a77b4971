// Kept free of node: and database imports: the dashboard's alerts feed (a client component) uses these too.
import type { AlertKind } from "@/lib/adapters/discord/levels";

export const ALERT_SEVERITIES = ["info", "warning", "critical"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** One alert as the trading process raises it, before it has an id. */
export interface AlertRecord {
  kind: AlertKind;
  level: AlertSeverity;
  text: string;
  symbol?: string;
  strategy?: string;
  details?: Record<string, unknown>;
}

/** One alert as it is stored and shown: ids grow with time, so "before id" pages backwards. */
export interface AlertHistoryEntry {
  id: number;
  at: string;
  kind: AlertKind;
  level: AlertSeverity;
  text: string;
  symbol: string | null;
  strategy: string | null;
  details: Record<string, unknown> | null;
}

/** Newest first, each id once, at most `limit`: a delta or an older page merged into what the browser holds. */
export function mergeAlerts(current: readonly AlertHistoryEntry[], incoming: readonly AlertHistoryEntry[], limit = Infinity): AlertHistoryEntry[] {
  const byId = new Map<number, AlertHistoryEntry>();
  for (const entry of [...current, ...incoming]) byId.set(entry.id, entry);
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, limit);
}
