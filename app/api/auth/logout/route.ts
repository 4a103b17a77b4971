import { clearedSessionCookie, jsonResponse, withAuth } from "@/lib/auth";

export const dynamic = "force-dynamic";

export const POST = withAuth("read", async (_request, principal, { auth, meta }) => {
  await auth.logout(principal, meta);
  return jsonResponse({ ok: true }, { headers: { "Set-Cookie": clearedSessionCookie(auth.secureCookies) } });
});
