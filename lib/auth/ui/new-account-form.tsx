"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Field, FormError, SubmitButton } from "./fields";
import { sendJson } from "./send-json";

const PASSWORD_HINT = "At least 12 characters; a few unrelated words make a good one.";

/** Creates an account from a one-time link (the owner's setup link or a viewer's invite). */
export function NewAccountForm({
  endpoint,
  token,
  defaultUsername,
  submitLabel,
}: {
  endpoint: "/api/auth/setup" | "/api/auth/invite";
  token: string;
  defaultUsername?: string;
  submitLabel: string;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const router = useRouter();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (form.get("password") !== form.get("confirm")) {
      setError("The two passwords differ; type the same password twice.");
      return;
    }
    setBusy(true);
    setError(null);
    const result = await sendJson("POST", endpoint, { token, username: form.get("username"), password: form.get("password") });
    setBusy(false);
    if (result.ok) {
      router.replace("/");
      router.refresh();
    } else {
      setError(result.message);
    }
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-label={submitLabel}>
      <Field label="Username" name="username" autoComplete="username" required maxLength={32} defaultValue={defaultUsername} />
      <Field label="Password" name="password" type="password" autoComplete="new-password" required minLength={12} maxLength={256} hint={PASSWORD_HINT} />
      <Field label="Repeat password" name="confirm" type="password" autoComplete="new-password" required maxLength={256} />
      <FormError message={error} />
      <SubmitButton busy={busy}>{submitLabel}</SubmitButton>
    </form>
  );
}
