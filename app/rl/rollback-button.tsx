"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

/** One click back to the previous accepted version of a policy. */
export function RollbackButton({ model, disabled }: { model: string; disabled: boolean }) {
  const router = useRouter();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function rollback() {
    setBusy(true);
    setMessage(null);
    const response = await fetch("/rl/rollback", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ model }) });
    const body = (await response.json().catch(() => null)) as { to?: number; error?: { message?: string } } | null;
    setBusy(false);
    setMessage(response.ok ? `Now on version ${body?.to}.` : (body?.error?.message ?? `Rollback failed (${response.status}).`));
    if (response.ok) router.refresh();
  }

  return (
    <span className="flex items-center gap-3">
      <button type="button" onClick={rollback} disabled={disabled || busy} className="rounded border border-slate-300 px-3 py-1 disabled:opacity-50 dark:border-slate-700">
        {busy ? "Rolling back…" : "Roll back"}
      </button>
      {message && <span role="status">{message}</span>}
    </span>
  );
}
