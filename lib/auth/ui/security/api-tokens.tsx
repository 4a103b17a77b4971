"use client";

import { useState, type FormEvent } from "react";
import { Field, FormError, SubmitButton } from "../fields";
import { formText, useApiAction } from "./use-action";
import { formatInstant } from "./format";

export interface TokenRow {
  id: string;
  name: string;
  scope: "read" | "trade";
  hint: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export function ApiTokensPanel({ tokens }: { tokens: TokenRow[] }) {
  const { busy, error, run } = useApiAction();
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    const result = await run<{ token: string; name: string }>("POST", "/api/tokens", { name: formText(form, "name"), scope: formText(form, "scope") });
    if (!result) return;
    element.reset();
    setCreated({ name: result.name, token: result.token });
  }

  return (
    <div className="flex flex-col gap-4">
      <form onSubmit={create} className="flex max-w-xl flex-wrap items-end gap-3" aria-label="Create API token">
        <Field label="Token name" name="name" id="token-name" required maxLength={60} placeholder="nightly report" />
        <div className="flex flex-col gap-1">
          <label htmlFor="token-scope" className="text-sm font-medium">
            Scope
          </label>
          <select id="token-scope" name="scope" defaultValue="read" className="rounded border border-slate-300 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-900">
            <option value="read">read: view only</option>
            <option value="trade">trade: may also flatten and halt</option>
          </select>
        </div>
        <SubmitButton busy={busy}>Create token</SubmitButton>
      </form>
      {created && (
        <div role="status" className="rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
          <p>
            Token <strong>{created.name}</strong>. Copy it now: it is shown this once. Send it as <code>Authorization: Bearer …</code>.
          </p>
          <p className="mt-2 break-all font-mono" data-testid="new-token">
            {created.token}
          </p>
        </div>
      )}
      <FormError message={error} />
      <table className="w-full max-w-3xl text-left text-sm" aria-label="API tokens">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Scope</th>
            <th scope="col">Starts with</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => (
            <tr key={token.id} className={token.revokedAt ? "text-slate-400 line-through" : ""}>
              <td>{token.name}</td>
              <td>{token.scope}</td>
              <td className="font-mono">{token.hint}…</td>
              <td>{formatInstant(token.createdAt)}</td>
              <td>{token.lastUsedAt ? formatInstant(token.lastUsedAt) : "never"}</td>
              <td>
                {token.revokedAt ? (
                  "revoked"
                ) : (
                  <button type="button" disabled={busy} onClick={() => run("DELETE", `/api/tokens/${token.id}`)} className="text-rose-700 underline dark:text-rose-400" aria-label={`Revoke ${token.name}`}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
