import type { InputHTMLAttributes, ReactNode } from "react";

export function Field({ label, hint, ...input }: { label: string; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const id = input.id ?? input.name;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        className="rounded border border-slate-300 bg-white px-3 py-2 text-slate-900 focus:outline-2 focus:outline-sky-600 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
        aria-describedby={hint ? `${id}-hint` : undefined}
        {...input}
      />
      {hint && (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      )}
    </div>
  );
}

export function FormError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="rounded border border-rose-300 bg-rose-50 px-3 py-2 text-sm text-rose-800 dark:border-rose-800 dark:bg-rose-950 dark:text-rose-200">
      {message}
    </p>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <p role="status" className="rounded border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
      {children}
    </p>
  );
}

export function SubmitButton({ children, busy, variant = "primary" }: { children: ReactNode; busy: boolean; variant?: "primary" | "danger" }) {
  const colors = variant === "danger" ? "bg-rose-700 hover:bg-rose-800" : "bg-sky-700 hover:bg-sky-800";
  return (
    <button type="submit" disabled={busy} aria-busy={busy} className={`rounded px-4 py-2 font-medium text-white disabled:opacity-60 ${colors}`}>
      {children}
    </button>
  );
}

export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-6 px-4">
      <h1 className="text-2xl font-semibold">{title}</h1>
      {children}
    </main>
  );
}
