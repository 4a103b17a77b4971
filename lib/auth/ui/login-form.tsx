"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Field, FormError, SubmitButton } from "./fields";
import { sendJson } from "./send-json";

/** Username and password; the code field appears when the account has two-factor sign-in. */
export function LoginForm({ next, initialError, initialNeedsCode }: { next: string; initialError: string | null; initialNeedsCode: boolean }) {
  const [needsCode, setNeedsCode] = useState(initialNeedsCode);
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState(false);
  const router = useRouter();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const code = String(form.get("code") ?? "").trim();
    const result = await sendJson("POST", "/api/auth/login", {
      username: form.get("username"),
      password: form.get("password"),
      ...(code ? { code } : {}),
    });
    setBusy(false);
    if (result.ok) {
      router.replace(next);
      router.refresh();
      return;
    }
    if (result.code === "totp_required") setNeedsCode(true);
    setError(result.message);
  }

  return (
    // method/action make the browser post the form itself (never as a GET with the password in
    // the URL) if it is submitted before this script has loaded.
    <form onSubmit={submit} method="post" action="/api/auth/login" className="flex flex-col gap-4" aria-label="Sign in">
      <input type="hidden" name="next" value={next} />
      <Field label="Username" name="username" autoComplete="username" required maxLength={32} autoFocus />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required maxLength={256} />
      {needsCode && (
        <Field
          label="Authentication code"
          name="code"
          autoComplete="one-time-code"
          inputMode="text"
          maxLength={19}
          required
          hint="The 6 digits from your authenticator app, or one of your recovery codes."
        />
      )}
      <FormError message={error} />
      <SubmitButton busy={busy}>Sign in</SubmitButton>
    </form>
  );
}
