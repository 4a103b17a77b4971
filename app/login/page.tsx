import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentPageSession, safeNextPath } from "@/lib/auth";
import { AuthCard } from "@/lib/auth/ui/fields";
import { LoginForm } from "@/lib/auth/ui/login-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in · Kestrel" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeNextPath(typeof params.next === "string" ? params.next : null);
  if (await currentPageSession()) redirect(next);
  return (
    <AuthCard title="Sign in to Kestrel">
      <LoginForm next={next} />
    </AuthCard>
  );
}
