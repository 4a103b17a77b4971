"use client";

import { useEffect, useState, type FormEvent } from "react";
import type { FlatByTimeView } from "@/lib/services/risk-overview";
import type { StrategyInstanceView } from "@/lib/services/strategy-directory";
import { formatTime } from "./format";
import { postJson } from "./post-json";

const ACCOUNT = "";

interface Draft {
  strategy: string;
  enabled: boolean;
  localTime: string;
  timeZone: string;
  exchange: string;
}

type Status = { kind: "idle" } | { kind: "saving" } | { kind: "message"; text: string; failed: boolean };

/** The "be flat by T" schedules: the whole account's and, optionally, one per strategy instance. */
export function FlatByPanel() {
  const [account, setAccount] = useState<FlatByTimeView | null>(null);
  const [strategies, setStrategies] = useState<readonly StrategyInstanceView[]>([]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [status, setStatus] = useState<Status>({ kind: "idle" });

  useEffect(() => {
    let live = true;
    void Promise.all([readJson<FlatByTimeView>("/api/controls/flat-by"), readJson<{ strategies: StrategyInstanceView[] }>("/api/strategies")]).then(([schedules, instances]) => {
      if (!live) return;
      setAccount(schedules);
      setStrategies(instances?.strategies ?? []);
      if (schedules) setDraft(draftOf(schedules, ACCOUNT));
    });
    return () => {
      live = false;
    };
  }, []);

  if (!account || !draft) return <p className="text-sm text-slate-500">Flat-by schedule: not available on this server.</p>;

  const choose = (strategy: string) => setDraft(draftOf(account, strategy));
  async function save(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    setStatus({ kind: "saving" });
    const body = { enabled: draft.enabled, localTime: draft.localTime, timeZone: draft.timeZone, exchange: draft.exchange, strategy: draft.strategy === ACCOUNT ? null : draft.strategy };
    const outcome = await postJson<FlatByTimeView>("/api/controls/flat-by", body, "PUT");
    setStatus(outcome.ok ? { kind: "message", text: "Schedule saved.", failed: false } : { kind: "message", text: outcome.message, failed: true });
    if (outcome.ok) setAccount(outcome.body);
  }

  const input = "rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-950";
  return (
    <div className="flex flex-col gap-3">
      <ul aria-label="Flat-by schedules" className="flex flex-col gap-1 text-sm">
        {[account, ...(account.strategies ?? [])].map((schedule) => (
          <li key={schedule.strategy ?? ACCOUNT} data-testid="flat-by-schedule">
            <span className="font-medium">{schedule.strategy ? `Strategy ${schedule.strategy}` : "Whole account"}</span>: flat by {schedule.localTime} ({schedule.timeZone}){" "}
            {schedule.enabled && schedule.nextAt ? <span className="num">next {formatTime(schedule.nextAt)}</span> : <span className="text-slate-500">off</span>}
          </li>
        ))}
      </ul>
      <form onSubmit={save} aria-label="Set a flat-by schedule" className="flex flex-wrap items-end gap-3 text-sm">
        <label className="flex flex-col gap-1">
          Applies to
          <select value={draft.strategy} onChange={(event) => choose(event.target.value)} className={input}>
            <option value={ACCOUNT}>Whole account</option>
            {strategies.map((instance) => (
              <option key={instance.id} value={instance.id}>
                {instance.label} ({instance.id})
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          Flat by
          <input type="time" required value={draft.localTime} onChange={(event) => setDraft({ ...draft, localTime: event.target.value })} className={input} />
        </label>
        <label className="flex flex-col gap-1">
          Time zone
          <input type="text" required value={draft.timeZone} onChange={(event) => setDraft({ ...draft, timeZone: event.target.value })} className={input} />
        </label>
        <label className="flex flex-col gap-1">
          Exchange calendar
          <select value={draft.exchange} onChange={(event) => setDraft({ ...draft, exchange: event.target.value })} className={input}>
            <option value="XNYS">XNYS (New York)</option>
            <option value="XNSE">XNSE (India)</option>
          </select>
        </label>
        <label className="flex items-center gap-2 pb-1">
          <input type="checkbox" checked={draft.enabled} onChange={(event) => setDraft({ ...draft, enabled: event.target.checked })} />
          Enabled
        </label>
        <button type="submit" disabled={status.kind === "saving"} className="rounded-md bg-slate-800 px-4 py-2 font-semibold text-white hover:bg-slate-900 disabled:opacity-50 dark:bg-slate-200 dark:text-slate-900">
          Save schedule
        </button>
      </form>
      <p className="text-xs text-slate-500">
        Five minutes before the time a warning goes out; at the time the schedule cancels the working orders and closes the positions it covers (a strategy&apos;s schedule: only that instance&apos;s). A time missed while Kestrel was down is caught up after the next start.
      </p>
      {status.kind === "message" && (
        <p role={status.failed ? "alert" : "status"} data-testid="flat-by-result" className={status.failed ? "text-rose-700 dark:text-rose-400" : "text-emerald-700 dark:text-emerald-400"}>
          {status.text}
        </p>
      )}
    </div>
  );
}

/** The form filled from the chosen schedule, or from the account's when the strategy has none yet. */
function draftOf(account: FlatByTimeView, strategy: string): Draft {
  const saved = strategy === ACCOUNT ? account : account.strategies?.find((schedule) => schedule.strategy === strategy);
  const source = saved ?? account;
  return { strategy, enabled: saved?.enabled ?? true, localTime: source.localTime, timeZone: source.timeZone, exchange: source.exchange ?? "XNYS" };
}

async function readJson<T>(url: string): Promise<T | null> {
  try {
    const response = await fetch(url);
    return response.ok ? ((await response.json()) as T) : null;
  } catch {
    return null;
  }
}
