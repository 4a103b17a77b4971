import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentPageSession, safeNextPath } from "@/lib/auth";
import { AuthCard } from "@/lib/auth/ui/fields";
import { LoginForm } from "@/lib/auth/ui/login-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in · Kestrel" };

/** Fixed texts for the codes a script-less form post comes back with; the URL never carries prose. */
const FORM_ERRORS: Record<string, string> = {
  bad_credentials: "Wrong username or password.",
  locked_out: "Too many failed sign-in attempts. Wait 15 minutes, then try again.",
  totp_required: "Enter the 6-digit code from your authenticator app, or a recovery code.",
  bad_second_factor: "That code is wrong or was already used; wait for the next code and try again.",
  invalid_request: "Check the username and password and try again.",
  session_ended: "Your session ended: it was signed out, revoked or expired. Sign in again to continue.",
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeNextPath(typeof params.next === "string" ? params.next : null);
  if (await currentPageSession()) redirect(next);
  const error = typeof params.error === "string" ? params.error : null;
  return (
    <AuthCard title="Sign in to Kestrel">
      <LoginForm next={next} initialError={error ? (FORM_ERRORS[error] ?? FORM_ERRORS.invalid_request) : null} initialNeedsCode={error === "totp_required"} />
    </AuthCard>
  );
}
