"use client";

import { useState } from "react";
import type { FlattenResult } from "@/lib/services/flatten";

type PanelState =
  | { step: "idle" }
  | { step: "confirming" }
  | { step: "running" }
  | { step: "done"; result: FlattenResult }
  | { step: "failed"; message: string };

/** The kill switch: one click to ask, a second to confirm. */
export function FlattenPanel({ disabled }: { disabled: boolean }) {
  const [state, setState] = useState<PanelState>({ step: "idle" });

  async function flatten() {
    setState({ step: "running" });
    try {
      const response = await fetch("/api/flatten", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ confirm: true }),
      });
      const body = await response.json();
      if (response.status === 200 || response.status === 207) setState({ step: "done", result: body as FlattenResult });
      else setState({ step: "failed", message: body?.error?.message ?? `The server answered ${response.status}.` });
    } catch {
      setState({ step: "failed", message: "The server could not be reached." });
    }
  }

  return (
    <div className="flex flex-wrap items-center gap-3">
      {state.step === "confirming" ? (
        <div role="alertdialog" aria-label="Confirm flatten all" className="flex flex-wrap items-center gap-3">
          <span className="font-medium">Cancel every order and close every position?</span>
          <button type="button" onClick={flatten} className="rounded-md bg-rose-700 px-4 py-2 font-semibold text-white hover:bg-rose-800 focus:outline-none focus-visible:ring-4 focus-visible:ring-rose-300">
            Confirm flatten
          </button>
          <button type="button" onClick={() => setState({ step: "idle" })} className="rounded-md border border-slate-300 px-4 py-2 dark:border-slate-700">
            Keep positions
          </button>
        </div>
      ) : (
        <button
          type="button"
          disabled={disabled || state.step === "running"}
          onClick={() => setState({ step: "confirming" })}
          className="rounded-md bg-rose-600 px-5 py-3 text-lg font-bold text-white shadow hover:bg-rose-700 focus:outline-none focus-visible:ring-4 focus-visible:ring-rose-300 disabled:cursor-not-allowed disabled:opacity-50"
        >
          {state.step === "running" ? "Flattening…" : "Flatten all"}
        </button>
      )}
      <FlattenOutcome state={state} />
    </div>
  );
}

function FlattenOutcome({ state }: { state: PanelState }) {
  if (state.step === "done") {
    const flat = state.result.status === "flat";
    return (
      <p role="status" data-testid="flatten-result" className={flat ? "text-emerald-700 dark:text-emerald-400" : "text-rose-700 dark:text-rose-400"}>
        {state.result.message} ({state.result.ordersCancelled} orders cancelled, {state.result.closingOrders.length} closing orders)
      </p>
    );
  }
  if (state.step === "failed") {
    return (
      <p role="alert" data-testid="flatten-result" className="text-rose-700 dark:text-rose-400">
        {state.message}
      </p>
    );
  }
  return null;
}
