"use client";

import { useState } from "react";
import type { StrategyInstanceView } from "@/lib/services/strategy-directory";
import { postJson } from "@/app/components/post-json";
import { formatMoney, formatQuantity, formatTime, pnlClass } from "@/app/components/format";
import { StrategySymbolChart } from "./strategy-chart";

const input = "rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900";

export function StrategyCards({ initial, canTrade }: { initial: StrategyInstanceView[]; canTrade: boolean }) {
  const [instances, setInstances] = useState(initial);
  const replace = (next: StrategyInstanceView) => setInstances((list) => list.map((item) => (item.id === next.id ? next : item)));
  if (instances.length === 0) return <p>No strategy instances are configured.</p>;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      {instances.map((instance) => (
        <StrategyCard key={instance.id} instance={instance} canTrade={canTrade} onChange={replace} />
      ))}
    </div>
  );
}

function StrategyCard({ instance, canTrade, onChange }: { instance: StrategyInstanceView; canTrade: boolean; onChange: (next: StrategyInstanceView) => void }) {
  const [message, setMessage] = useState<{ text: string; failed: boolean } | null>(null);
  const running = instance.state === "running";

  async function toggle() {
    const outcome = await postJson<StrategyInstanceView>(`/api/strategies/${encodeURIComponent(instance.id)}/state`, { state: running ? "paused" : "running" });
    if (outcome.ok) {
      onChange(outcome.body);
      setMessage({ text: outcome.body.state === "running" ? "Started." : "Paused.", failed: false });
    } else setMessage({ text: outcome.message, failed: true });
  }

  const positions = Object.entries(instance.positions);
  return (
    <section aria-label={`Strategy ${instance.label}`} data-testid={`strategy-${instance.id}`} className="flex flex-col gap-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <header className="flex flex-wrap items-center gap-2">
        <h2 className="text-lg font-semibold">{instance.label}</h2>
        <span className="text-sm text-slate-500">{instance.strategy}</span>
        <span data-testid="strategy-state" className={`rounded px-2 py-0.5 text-xs font-bold text-white ${running ? "bg-emerald-600" : "bg-slate-500"}`}>
          {instance.state.toUpperCase()}
        </span>
        {canTrade && (
          <button type="button" onClick={toggle} className="ml-auto rounded-md border border-slate-300 px-3 py-1 text-sm font-semibold dark:border-slate-700">
            {running ? "Pause" : "Start"}
          </button>
        )}
      </header>
      <dl className="grid grid-cols-2 gap-2 text-sm">
        <dt className="text-slate-500">Symbols</dt>
        <dd>{instance.symbols.join(", ") || "—"}</dd>
        <dt className="text-slate-500">Realized P&L today</dt>
        <dd className={`num ${pnlClass(instance.realizedPnlToday)}`}>{formatMoney(instance.realizedPnlToday)}</dd>
        <dt className="text-slate-500">Positions</dt>
        <dd>{positions.length === 0 ? "flat" : positions.map(([symbol, quantity]) => `${symbol} ${formatQuantity(quantity)}`).join(", ")}</dd>
        <dt className="text-slate-500">Last signal</dt>
        <dd>{instance.lastSignal ? `${formatTime(instance.lastSignal.time)} ${instance.lastSignal.symbol}: ${instance.lastSignal.text}` : "none yet"}</dd>
      </dl>
      <StrategySymbolChart id={instance.id} symbols={instance.symbols} />
      <ParameterEditor instance={instance} canTrade={canTrade} onSaved={(next) => { onChange(next); setMessage({ text: "Parameters saved.", failed: false }); }} onError={(text) => setMessage({ text, failed: true })} />
      {message && (
        <p role={message.failed ? "alert" : "status"} className={message.failed ? "text-rose-700 dark:text-rose-400" : "text-emerald-700 dark:text-emerald-400"}>
          {message.text}
        </p>
      )}
    </section>
  );
}

/** One field per parameter: numbers as numbers, flags as checkboxes, anything nested as JSON. */
function ParameterEditor({ instance, canTrade, onSaved, onError }: { instance: StrategyInstanceView; canTrade: boolean; onSaved: (next: StrategyInstanceView) => void; onError: (text: string) => void }) {
  const [draft, setDraft] = useState<Record<string, string | boolean>>(() => toDraft(instance.parameters));

  async function save(event: React.FormEvent) {
    event.preventDefault();
    const parsed = fromDraft(draft, instance.parameters);
    if ("error" in parsed) return onError(parsed.error);
    const outcome = await postJson<StrategyInstanceView>(`/api/strategies/${encodeURIComponent(instance.id)}/parameters`, { parameters: parsed.value }, "PUT");
    if (outcome.ok) {
      onSaved({ ...outcome.body, parameters: { ...instance.parameters, ...outcome.body.parameters } });
      setDraft(toDraft({ ...instance.parameters, ...outcome.body.parameters }));
    } else onError(outcome.message);
  }

  return (
    <form onSubmit={save} aria-label={`Parameters of ${instance.label}`} className="flex flex-col gap-2">
      <fieldset disabled={!canTrade} className="grid grid-cols-2 gap-2 text-sm">
        <legend className="mb-1 font-semibold">Parameters</legend>
        {Object.entries(draft).map(([key, value]) => (
          <label key={key} className="flex flex-col gap-1">
            {key}
            {typeof value === "boolean" ? (
              <input type="checkbox" checked={value} onChange={(event) => setDraft({ ...draft, [key]: event.target.checked })} />
            ) : (
              <input className={`${input} ${typeof instance.parameters[key] === "number" ? "num" : ""}`} value={value} onChange={(event) => setDraft({ ...draft, [key]: event.target.value })} />
            )}
          </label>
        ))}
      </fieldset>
      {canTrade && (
        <button type="submit" className="self-start rounded-md bg-sky-700 px-3 py-1 text-sm font-semibold text-white">
          Save parameters
        </button>
      )}
    </form>
  );
}

function toDraft(parameters: Readonly<Record<string, unknown>>): Record<string, string | boolean> {
  return Object.fromEntries(
    Object.entries(parameters).map(([key, value]) => [key, typeof value === "boolean" ? value : typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value)]),
  );
}

/** Back to the parameter types the instance had; text that is not a number where one was expected is refused here. */
export function fromDraft(draft: Record<string, string | boolean>, original: Readonly<Record<string, unknown>>): { value: Record<string, unknown> } | { error: string } {
  const value: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(draft)) {
    const before = original[key];
    if (typeof text === "boolean" || typeof before === "string") value[key] = text;
    else if (typeof before === "number") {
      const number = Number(text);
      if (text.trim() === "" || !Number.isFinite(number)) return { error: `${key}: "${text}" is not a number.` };
      value[key] = number;
    } else {
      try {
        value[key] = JSON.parse(text);
      } catch {
        return { error: `${key}: not valid JSON.` };
      }
    }
  }
  return { value };
}
