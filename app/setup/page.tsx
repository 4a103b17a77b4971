import type { Metadata } from "next";
import { headers } from "next/headers";
import { authService, DEFAULT_OWNER_USERNAME } from "@/lib/auth";
import { linkToken } from "@/lib/auth/schemas";
import { AuthCard } from "@/lib/auth/ui/fields";
import { NewAccountForm } from "@/lib/auth/ui/new-account-form";
import { isLoopbackAddress, REMOTE_ADDRESS_HEADER } from "@/lib/runtime/request-meta";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Set up · Kestrel" };

/** First start without KESTREL_ADMIN_PASSWORD: the owner picks a password through the logged link. */
export default async function SetupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  const auth = authService();
  const remote = (await headers()).get(REMOTE_ADDRESS_HEADER);
  if (!isLoopbackAddress(remote)) {
    return <Refusal>Setup only works from the machine Kestrel runs on. Open the link there, through 127.0.0.1.</Refusal>;
  }
  if (await auth.ownerExists()) {
    return (
      <Refusal>
        Kestrel already has an owner. <a href="/login" className="underline">Sign in</a> instead.
      </Refusal>
    );
  }
  const parsed = linkToken.safeParse(token);
  const invite = parsed.success ? await auth.invites.describe(parsed.data) : null;
  if (!parsed.success || invite?.role !== "owner") {
    return <Refusal>This setup link is incomplete, used or expired. Restart Kestrel: it prints a new link in its log.</Refusal>;
  }
  return (
    <AuthCard title="Set up Kestrel">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Choose the owner account. The owner can trade, flatten, change settings and invite read-only viewers.
      </p>
      <NewAccountForm endpoint="/api/auth/setup" token={parsed.data} defaultUsername={DEFAULT_OWNER_USERNAME} submitLabel="Create owner account" />
    </AuthCard>
  );
}

function Refusal({ children }: { children: React.ReactNode }) {
  return (
    <AuthCard title="Set up Kestrel">
      <p role="alert">{children}</p>
    </AuthCard>
  );
}
