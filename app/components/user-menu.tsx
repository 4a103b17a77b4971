"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";

/** The signed-in user as the dashboard shows them. */
export interface SignedInUser {
  username: string;
  canTrade: boolean;
}

export function UserMenu({ user }: { user: SignedInUser }) {
  const [signingOut, setSigningOut] = useState(false);
  const router = useRouter();

  async function signOut() {
    setSigningOut(true);
    await fetch("/api/auth/logout", { method: "POST" }).catch(() => undefined);
    router.replace("/login");
    router.refresh();
  }

  return (
    <nav aria-label="Account" className="flex items-center gap-3 text-sm">
      <span className="text-slate-500">
        {user.username}
        {!user.canTrade && " (view only)"}
      </span>
      <Link href="/reports" className="underline decoration-slate-400 underline-offset-2">
        Reports
      </Link>
      <Link href="/audit" className="underline decoration-slate-400 underline-offset-2">
        Audit log
      </Link>
      <Link href="/settings/security" className="underline decoration-slate-400 underline-offset-2">
        Security
      </Link>
      <button type="button" onClick={signOut} disabled={signingOut} className="rounded border border-slate-300 px-2 py-1 dark:border-slate-700">
        Sign out
      </button>
    </nav>
  );
}
