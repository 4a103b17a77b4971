"use client";

import { useState, type FormEvent, type ReactNode } from "react";
import { Field, FormError, Notice, SubmitButton } from "@/lib/auth/ui/fields";
import { formText, useApiAction } from "@/lib/auth/ui/security/use-action";
import type { DiscordSettingsView, SecretSource } from "@/lib/adapters/discord/settings";
import { ALERT_KINDS, ALERT_LEVELS, type AlertKind } from "@/lib/adapters/discord/levels";

const KIND_LABELS: Record<AlertKind, string> = {
  fill: "Fills",
  setup: "Trade setups (with chart)",
  denial: "Risk denials",
  guardian: "Guardian tiers",
  halt: "Halts and resumes",
  connection: "Connection (1100/1101/1102, resets, 2FA needed)",
  flatten: "Flatten results",
  "daily-summary": "Daily summary",
  error: "Errors",
};

const selectClass = "rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900";

function secretState(state: { set: boolean; source: SecretSource }): string {
  if (!state.set) return "not set";
  return state.source === "environment" ? "set (from the environment)" : "set";
}

export function DiscordSettingsForm({ view }: { view: DiscordSettingsView }) {
  const { busy, error, run } = useApiAction();
  const [saved, setSaved] = useState<string | null>(null);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    const webhookUrl = formText(form, "webhookUrl").trim();
    const botToken = formText(form, "botToken").trim();
    const body = {
      ...(webhookUrl ? { webhookUrl } : {}),
      ...(botToken ? { botToken } : {}),
      levels: Object.fromEntries(ALERT_KINDS.map((kind) => [kind, formText(form, `level-${kind}`)])),
      allowedUserIds: formText(form, "allowedUserIds").split(/[\s,]+/).filter(Boolean),
      othersPolicy: formText(form, "othersPolicy"),
    };
    setSaved(null);
    if (await run("PUT", "/api/settings/discord", body)) {
      element.querySelectorAll<HTMLInputElement>("input[type=password]").forEach((input) => (input.value = ""));
      setSaved("Discord settings saved.");
    }
  }

  async function clear(field: "webhookUrl" | "botToken") {
    setSaved(null);
    if (await run("PUT", "/api/settings/discord", { [field]: null })) setSaved(field === "webhookUrl" ? "Webhook URL removed." : "Bot token removed.");
  }

  async function sendTest() {
    setSaved(null);
    if (await run("POST", "/api/settings/discord/test")) setSaved("Test alert sent; check the channel.");
  }

  const secretHint = view.canStoreSecrets ? "Write-only: paste a new value to replace it." : "Set KESTREL_SECRET_KEY (32+ characters) to store secrets here, or use the environment variable.";

  return (
    <form onSubmit={save} className="flex flex-col gap-8" aria-label="Discord settings">
      <Section id="webhook" title="Alerts webhook">
        <p className="text-sm" data-testid="webhook-state">
          Webhook URL: <strong>{secretState(view.webhook)}</strong>
        </p>
        <Field label="New webhook URL" name="webhookUrl" id="webhook-url" type="password" autoComplete="off" disabled={!view.canStoreSecrets} hint={`${secretHint} Discord: channel settings → Integrations → Webhooks → Copy URL.`} />
        <div className="flex gap-3">
          {view.webhook.source === "settings" && <LinkButton onClick={() => clear("webhookUrl")} busy={busy} label="Remove webhook URL" />}
          {view.webhook.set && <LinkButton onClick={sendTest} busy={busy} label="Send a test alert" />}
        </div>
      </Section>

      <Section id="levels" title="Alert levels">
        <p className="text-sm text-slate-600 dark:text-slate-400">Silent posts without a push notification.</p>
        <table className="max-w-xl text-left text-sm">
          <tbody>
            {ALERT_KINDS.map((kind) => (
              <tr key={kind}>
                <th scope="row" className="py-1 pr-4 font-normal">
                  <label htmlFor={`level-${kind}`}>{KIND_LABELS[kind]}</label>
                </th>
                <td>
                  <select id={`level-${kind}`} name={`level-${kind}`} defaultValue={view.levels[kind]} className={selectClass}>
                    {ALERT_LEVELS.map((level) => (
                      <option key={level} value={level}>
                        {level}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section id="bot" title="Bot commands">
        <p className="text-sm" data-testid="bot-state">
          Bot token: <strong>{secretState(view.botToken)}</strong>
        </p>
        <Field label="New bot token" name="botToken" id="bot-token" type="password" autoComplete="off" disabled={!view.canStoreSecrets} hint={secretHint} />
        {view.botToken.source === "settings" && <LinkButton onClick={() => clear("botToken")} busy={busy} label="Remove bot token" />}
        <div className="flex flex-col gap-1">
          <label htmlFor="allowed-user-ids" className="text-sm font-medium">
            Allowed Discord user ids (may halt, resume and flatten)
          </label>
          <textarea id="allowed-user-ids" name="allowedUserIds" rows={3} defaultValue={view.allowedUserIds.join("\n")} className="max-w-xl rounded border border-slate-300 bg-white px-3 py-2 font-mono text-sm dark:border-slate-700 dark:bg-slate-900" />
          <p className="text-xs text-slate-500">
            One per line. Discord: Settings → Advanced → Developer Mode, then right-click a user → Copy User ID.
            {view.environmentUserIds.length > 0 && ` Also allowed from DISCORD_ALLOWED_USER_IDS: ${view.environmentUserIds.join(", ")}.`}
          </p>
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="others-policy" className="text-sm font-medium">
            Everyone else
          </label>
          <select id="others-policy" name="othersPolicy" defaultValue={view.othersPolicy} className={`max-w-xs ${selectClass}`}>
            <option value="read-only">read-only answers (/status, /positions, /orders, /pnl)</option>
            <option value="none">no answers</option>
          </select>
        </div>
      </Section>

      <FormError message={error} />
      {saved && <Notice>{saved}</Notice>}
      <div>
        <SubmitButton busy={busy}>Save Discord settings</SubmitButton>
      </div>
    </form>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`} className="flex flex-col gap-3">
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

function LinkButton({ label, busy, onClick }: { label: string; busy: boolean; onClick: () => Promise<void> }) {
  return (
    <button type="button" className="self-start underline" onClick={() => void onClick()} disabled={busy}>
      {label}
    </button>
  );
}
