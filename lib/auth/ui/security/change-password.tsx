"use client";

import { useState, type FormEvent } from "react";
import { Field, FormError, Notice, SubmitButton } from "../fields";
import { formText, useApiAction } from "./use-action";

export function ChangePasswordForm() {
  const { busy, error, run } = useApiAction();
  const [done, setDone] = useState<string | null>(null);
  const [mismatch, setMismatch] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    setDone(null);
    const mismatched = formText(form, "newPassword") !== formText(form, "confirm");
    setMismatch(mismatched);
    if (mismatched) return;
    const result = await run<{ otherSessionsEnded: number }>("POST", "/api/auth/password", {
      currentPassword: formText(form, "currentPassword"),
      newPassword: formText(form, "newPassword"),
    });
    if (!result) return;
    element.reset();
    setDone(`Password changed. ${result.otherSessionsEnded} other session(s) were signed out.`);
  }

  return (
    <form onSubmit={submit} className="flex max-w-sm flex-col gap-3" aria-label="Change password">
      <Field label="Current password" name="currentPassword" id="current-password" type="password" autoComplete="current-password" required maxLength={256} />
      <Field label="New password" name="newPassword" id="new-password" type="password" autoComplete="new-password" required minLength={12} maxLength={256} hint="At least 12 characters." />
      <Field label="Repeat new password" name="confirm" id="confirm-password" type="password" autoComplete="new-password" required maxLength={256} />
      <FormError message={mismatch ? "The two new passwords differ." : error} />
      {done && <Notice>{done}</Notice>}
      <SubmitButton busy={busy}>Change password</SubmitButton>
    </form>
  );
}
