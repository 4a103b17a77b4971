"use client";

import { useEffect, useRef, useState } from "react";
import { mergeAlerts, type AlertHistoryEntry, type AlertSeverity } from "@/lib/services/alert-history-entry";
import type { AlertKind } from "@/lib/adapters/discord/levels";
import { formatTime } from "./format";
import type { FeedState } from "./use-live-account";

const PAGE_SIZE = 50;

const KIND_LABELS: Record<AlertKind, string> = {
  fill: "fill",
  setup: "setup",
  denial: "risk denial",
  guardian: "guardian",
  halt: "trading state",
  connection: "connection",
  flatten: "flatten",
  "daily-summary": "daily summary",
  error: "error",
};

/** A notice only this browser can know of: its own link to the live feed. */
interface FeedNotice {
  key: string;
  at: string;
  text: string;
}

type Row = { key: string; at: string; text: string; level: AlertSeverity | null; kind: string | null };

/**
 * The server's alert history (the newest arrive over the socket, older pages over
 * GET /api/alerts) interleaved with this page's own live-feed notices.
 */
export function AlertsFeed({ live, feed }: { live: AlertHistoryEntry[]; feed: FeedState }) {
  const notices = useFeedNotices(feed);
  const { older, loadOlder, loading, exhausted, error } = useOlderAlerts(live);
  const alerts = mergeAlerts(live, older);
  const rows: Row[] = [
    ...alerts.map((alert) => ({ key: `a${alert.id}`, at: alert.at, text: alert.text, level: alert.level, kind: KIND_LABELS[alert.kind] ?? alert.kind })),
    ...notices.map((notice) => ({ ...notice, level: null, kind: null })),
  ].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <section aria-label="Alerts" className="rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <h2 className="border-b border-slate-200 px-4 py-2 font-semibold dark:border-slate-800">Alerts</h2>
      {rows.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-500">No alerts yet.</p>
      ) : (
        <ul aria-live="polite" className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
          {rows.map((row) => (
            <li key={row.key} data-testid="alert-row" className="flex flex-wrap items-baseline gap-3 px-4 py-1.5">
              <span className="font-mono text-slate-500" title={row.at}>
                {formatDateTime(row.at)}
              </span>
              <LevelBadge level={row.level} />
              {row.kind && <span className="text-xs uppercase tracking-wide text-slate-500">{row.kind}</span>}
              <span className="whitespace-pre-line">{row.text}</span>
            </li>
          ))}
        </ul>
      )}
      <div className="flex items-center gap-3 border-t border-slate-200 px-4 py-2 text-sm dark:border-slate-800">
        {exhausted ? (
          <span className="text-slate-500">No older alerts (the history keeps 90 days).</span>
        ) : (
          <button type="button" onClick={loadOlder} disabled={loading} className="rounded border border-slate-300 px-3 py-1 disabled:opacity-50 dark:border-slate-700">
            {loading ? "Loading…" : "Load older alerts"}
          </button>
        )}
        {error && (
          <span role="alert" className="text-rose-700 dark:text-rose-400">
            {error}
          </span>
        )}
      </div>
    </section>
  );
}

function LevelBadge({ level }: { level: AlertSeverity | null }) {
  if (level === null) return <span className="rounded bg-slate-200 px-1.5 text-xs dark:bg-slate-700">this page</span>;
  const colour = level === "critical" ? "bg-rose-700 text-white" : level === "warning" ? "bg-amber-400 text-slate-900" : "bg-sky-100 text-sky-900 dark:bg-sky-900 dark:text-sky-100";
  return <span className={`rounded px-1.5 text-xs font-medium ${colour}`}>{level}</span>;
}

/** Pages of alerts older than the oldest one shown, fetched on demand. */
function useOlderAlerts(live: AlertHistoryEntry[]) {
  const [older, setOlder] = useState<AlertHistoryEntry[]>([]);
  const [loading, setLoading] = useState(false);
  const [exhausted, setExhausted] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function loadOlder() {
    const shown = mergeAlerts(live, older);
    const before = shown.at(-1)?.id;
    setLoading(true);
    setError(null);
    try {
      const response = await fetch(`/api/alerts?limit=${PAGE_SIZE}${before === undefined ? "" : `&before=${before}`}`, { cache: "no-store" });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      const page = (await response.json()) as { alerts: AlertHistoryEntry[]; nextBefore: number | null };
      setOlder((current) => mergeAlerts(current, page.alerts));
      setExhausted(page.nextBefore === null);
    } catch (failure) {
      setError(`Older alerts could not be loaded: ${failure instanceof Error ? failure.message : String(failure)}`);
    } finally {
      setLoading(false);
    }
  }

  return { older, loadOlder, loading, exhausted, error };
}

/** Changes of this browser's live-feed link (the server cannot report its own unreachability). */
function useFeedNotices(feed: FeedState): FeedNotice[] {
  const [notices, setNotices] = useState<FeedNotice[]>([]);
  const previous = useRef(feed);
  const counter = useRef(0);
  useEffect(() => {
    if (previous.current === feed) return;
    previous.current = feed;
    counter.current += 1;
    const notice = { key: `f${counter.current}`, at: new Date().toISOString(), text: `Live feed ${feed}` };
    setNotices((list) => [notice, ...list].slice(0, PAGE_SIZE));
  }, [feed]);
  return notices;
}

/** Today's alerts by time, older ones with their date: the feed spans days. */
function formatDateTime(iso: string): string {
  const at = new Date(iso);
  const sameDay = at.toDateString() === new Date().toDateString();
  return sameDay ? formatTime(iso) : `${at.toLocaleDateString("en-GB", { day: "numeric", month: "short" })} ${formatTime(iso)}`;
}
