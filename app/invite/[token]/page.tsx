import type { Metadata } from "next";
import { authService } from "@/lib/auth";
import { linkToken } from "@/lib/auth/schemas";
import { AuthCard } from "@/lib/auth/ui/fields";
import { NewAccountForm } from "@/lib/auth/ui/new-account-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Invitation · Kestrel", referrer: "no-referrer" };

/** A viewer invited by the owner chooses a username and password. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const parsed = linkToken.safeParse(token);
  const invite = parsed.success ? await authService().invites.describe(parsed.data) : null;
  if (!parsed.success || invite?.role !== "viewer") {
    return (
      <AuthCard title="Invitation">
        <p role="alert">This invitation link is unknown, already used or expired. Ask the owner for a new one.</p>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Join Kestrel as a viewer">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Viewers see positions, orders and the audit log, and cannot trade or change settings. This link works once, until{" "}
        {invite.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC.
      </p>
      <NewAccountForm endpoint="/api/auth/invite" token={parsed.data} submitLabel="Create account" />
    </AuthCard>
  );
}
