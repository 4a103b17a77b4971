"use client";

import { useState, type FormEvent } from "react";
import { Field, FormError, SubmitButton } from "../fields";
import { formText, useApiAction } from "./use-action";

interface Status {
  enabled: boolean;
  pending: boolean;
  recoveryCodesLeft: number;
}

type Step = { kind: "idle" } | { kind: "scan"; secret: string; uri: string } | { kind: "codes"; codes: string[] };

/** Enrol an authenticator app (TOTP), see recovery codes once, renew them, or turn two-factor off. */
export function TwoFactorPanel({ status }: { status: Status }) {
  const { busy, error, run } = useApiAction();
  const [step, setStep] = useState<Step>({ kind: "idle" });

  async function begin(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await run<{ secret: string; uri: string }>("POST", "/api/auth/totp", { password: formText(new FormData(event.currentTarget), "password") });
    if (result) setStep({ kind: "scan", ...result });
  }

  async function confirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await run<{ recoveryCodes: string[] }>("POST", "/api/auth/totp/confirm", { code: formText(new FormData(event.currentTarget), "code") });
    if (result) setStep({ kind: "codes", codes: result.recoveryCodes });
  }

  async function renewCodes(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = await run<{ recoveryCodes: string[] }>("POST", "/api/auth/totp/recovery-codes", { password: formText(new FormData(event.currentTarget), "password") });
    if (result) setStep({ kind: "codes", codes: result.recoveryCodes });
  }

  async function disable(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (await run("DELETE", "/api/auth/totp", { password: formText(new FormData(event.currentTarget), "password") })) setStep({ kind: "idle" });
  }

  if (step.kind === "codes") return <RecoveryCodes codes={step.codes} onDone={() => setStep({ kind: "idle" })} />;

  if (step.kind === "scan") {
    return (
      <form onSubmit={confirm} className="flex max-w-xl flex-col gap-3" aria-label="Confirm authenticator">
        <p>Add this account to your authenticator app: open the link on your phone, or type the secret by hand.</p>
        <p className="break-all font-mono text-sm" data-testid="totp-uri">
          {step.uri}
        </p>
        <p>
          Secret: <span className="font-mono tracking-wider" data-testid="totp-secret">{step.secret.match(/.{1,4}/g)?.join(" ")}</span>
        </p>
        <Field label="Code from the app" name="code" id="totp-code" inputMode="numeric" autoComplete="one-time-code" pattern="\d{6}" required maxLength={6} />
        <FormError message={error} />
        <SubmitButton busy={busy}>Turn on two-factor sign-in</SubmitButton>
      </form>
    );
  }

  if (!status.enabled) {
    return (
      <form onSubmit={begin} className="flex max-w-sm flex-col gap-3" aria-label="Enrol authenticator">
        <p>Two-factor sign-in is off. With it on, signing in also needs a code from an authenticator app.</p>
        <Field label="Password" name="password" id="totp-begin-password" type="password" autoComplete="current-password" required maxLength={256} />
        <FormError message={error} />
        <SubmitButton busy={busy}>Set up an authenticator app</SubmitButton>
      </form>
    );
  }

  return (
    <div className="flex max-w-sm flex-col gap-6">
      <p>
        Two-factor sign-in is on. {status.recoveryCodesLeft} of 10 recovery codes are unused.
      </p>
      <form onSubmit={renewCodes} className="flex flex-col gap-3" aria-label="New recovery codes">
        <Field label="Password" name="password" id="recovery-password" type="password" autoComplete="current-password" required maxLength={256} />
        <SubmitButton busy={busy}>Make new recovery codes</SubmitButton>
      </form>
      <form onSubmit={disable} className="flex flex-col gap-3" aria-label="Turn off two-factor sign-in">
        <Field label="Password" name="password" id="totp-off-password" type="password" autoComplete="current-password" required maxLength={256} />
        <SubmitButton busy={busy} variant="danger">
          Turn off two-factor sign-in
        </SubmitButton>
      </form>
      <FormError message={error} />
    </div>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <div className="flex max-w-sm flex-col gap-3">
      <p role="status">Save these recovery codes somewhere safe. Each works once if you lose your phone; they are never shown again.</p>
      <ol className="grid grid-cols-2 gap-1 font-mono text-sm" aria-label="Recovery codes" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <button type="button" onClick={onDone} className="self-start rounded border border-slate-300 px-3 py-1 dark:border-slate-700">
        I have saved them
      </button>
    </div>
  );
}
