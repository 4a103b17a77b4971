import type { Metadata } from "next";
import type { ReactNode } from "react";
import { authService, can, requirePageSession } from "@/lib/auth";
import { ApiTokensPanel } from "@/lib/auth/ui/security/api-tokens";
import { ChangePasswordForm } from "@/lib/auth/ui/security/change-password";
import { TwoFactorPanel } from "@/lib/auth/ui/security/two-factor";
import { UsersPanel } from "@/lib/auth/ui/security/users";
import { PageHeader } from "@/app/components/page-header";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Security · Kestrel" };

export default async function SecuritySettingsPage() {
  const principal = await requirePageSession("read");
  const auth = authService();
  const isOwner = can(principal, "admin");
  const [twoFactor, tokens, users] = await Promise.all([
    auth.totp.status(principal.userId),
    isOwner ? auth.tokens.list(principal.userId) : [],
    isOwner ? auth.listUsers() : [],
  ]);

  return (
    <main className="mx-auto flex max-w-4xl flex-col gap-10 px-4 py-8">
      <PageHeader title="Security" />
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Signed in as <strong>{principal.username}</strong> ({principal.role}).
      </p>
      <Section id="password" title="Password">
        <ChangePasswordForm />
      </Section>
      <Section id="two-factor" title="Two-factor sign-in">
        <TwoFactorPanel status={twoFactor} />
      </Section>
      {isOwner && (
        <Section id="tokens" title="API tokens">
          <ApiTokensPanel tokens={tokens} />
        </Section>
      )}
      {isOwner && (
        <Section id="users" title="Users">
          <UsersPanel users={users} />
        </Section>
      )}
    </main>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`} className="flex flex-col gap-4">
      <h2 id={`${id}-heading`} className="text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}
