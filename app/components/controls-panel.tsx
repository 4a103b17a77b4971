"use client";

import { useEffect, useState } from "react";
import type { TradingMode } from "@/lib/core/risk";
import type { FlatByTimeView } from "@/lib/services/risk-overview";
import { postJson } from "./post-json";
import { formatCountdown } from "./format";

const BADGE: Record<TradingMode, string> = {
  ACTIVE: "bg-emerald-600 text-white",
  REDUCING: "bg-amber-400 text-amber-950",
  HALTED: "bg-rose-700 text-white",
};

export function TradingStateBadge({ mode }: { mode: TradingMode | null }) {
  return (
    <span data-testid="trading-state" className={`rounded px-2 py-1 text-sm font-bold tracking-wide ${mode ? BADGE[mode] : "bg-slate-400 text-white"}`}>
      {mode ?? "STATE N/A"}
    </span>
  );
}

type Step = { kind: "idle" } | { kind: "busy"; action: string } | { kind: "confirm-cancel" } | { kind: "message"; text: string; failed: boolean };

/** Halt new entries, resume, cancel every working order; each answer is shown as a sentence. */
export function ControlsPanel({ mode, loading, available, onChanged }: { mode: TradingMode | null; loading: boolean; available: boolean; onChanged: () => void }) {
  const [step, setStep] = useState<Step>({ kind: "idle" });

  async function run(action: string, url: string, body: unknown, done: (result: unknown) => string) {
    setStep({ kind: "busy", action });
    const outcome = await postJson<unknown>(url, body);
    setStep(outcome.ok ? { kind: "message", text: done(outcome.body), failed: false } : { kind: "message", text: outcome.message, failed: true });
    onChanged();
  }

  const busy = step.kind === "busy";
  const button = "rounded-md px-4 py-2 font-semibold focus:outline-none focus-visible:ring-4 disabled:cursor-not-allowed disabled:opacity-50";
  return (
    <div className="flex flex-wrap items-center gap-2">
      <button
        type="button"
        disabled={busy || !available || mode === "HALTED"}
        onClick={() => run("halt", "/api/controls/halt", { reason: "halted from the dashboard" }, () => "New entries halted.")}
        className={`${button} bg-amber-500 text-amber-950 hover:bg-amber-600 focus-visible:ring-amber-300`}
      >
        Halt entries
      </button>
      <button
        type="button"
        disabled={busy || !available || mode === "ACTIVE"}
        onClick={() => run("resume", "/api/controls/resume", { confirm: true }, () => "Trading resumed.")}
        className={`${button} bg-emerald-600 text-white hover:bg-emerald-700 focus-visible:ring-emerald-300`}
      >
        Resume
      </button>
      {step.kind === "confirm-cancel" ? (
        <span role="alertdialog" aria-label="Confirm cancel all orders" className="flex items-center gap-2">
          <button
            type="button"
            onClick={() =>
              run("cancel", "/api/controls/cancel-all", { confirm: true }, (result) => `${(result as { ordersCancelled?: number })?.ordersCancelled ?? 0} orders cancelled.`)
            }
            className={`${button} bg-rose-700 text-white`}
          >
            Confirm cancel
          </button>
          <button type="button" onClick={() => setStep({ kind: "idle" })} className={`${button} border border-slate-300 dark:border-slate-700`}>
            Keep orders
          </button>
        </span>
      ) : (
        <button
          type="button"
          disabled={busy || !available}
          onClick={() => setStep({ kind: "confirm-cancel" })}
          className={`${button} border border-rose-400 text-rose-800 hover:bg-rose-100 dark:text-rose-300 dark:hover:bg-rose-950`}
        >
          Cancel all orders
        </button>
      )}
      {!available && !loading && <span className="text-sm text-slate-500">Trading controls not available on this server.</span>}
      {step.kind === "message" && (
        <p role={step.failed ? "alert" : "status"} data-testid="controls-result" className={step.failed ? "text-rose-700 dark:text-rose-400" : "text-emerald-700 dark:text-emerald-400"}>
          {step.text}
        </p>
      )}
    </div>
  );
}

/** Time left until the flat-by-T schedule flattens everything. */
export function FlatByCountdown({ flatBy }: { flatBy: FlatByTimeView | null }) {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, 1000);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, []);
  if (!flatBy) return <span className="text-sm text-slate-500">Flat-by schedule: not available</span>;
  if (!flatBy.enabled || !flatBy.nextAt) return <span className="text-sm text-slate-500">Flat-by {flatBy.localTime}: off</span>;
  const left = now === null ? null : Date.parse(flatBy.nextAt) - now;
  return (
    <span data-testid="flat-by" className="text-sm">
      Flat by {flatBy.localTime} ({flatBy.timeZone}): <span className="num font-mono font-semibold">{left === null ? "—" : formatCountdown(left)}</span>
    </span>
  );
}
