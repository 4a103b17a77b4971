import { jsonResponse, publicRoute, readBody, SESSION_COOKIE, sessionCookie } from "@/lib/auth";
import { readCookie } from "@/lib/auth/cookies";
import { loginInput } from "@/lib/auth/schemas";

export const dynamic = "force-dynamic";

/** Signs in with a fresh session id; any session cookie sent along is ended, never upgraded. */
export const POST = publicRoute(async (request, { auth, meta }) => {
  const input = await readBody(request, loginInput);
  const previous = readCookie(request.headers.get("cookie"), SESSION_COOKIE);
  const issued = await auth.login(input, meta);
  if (previous) {
    const old = await auth.sessions.authenticate(previous);
    if (old?.sessionId) await auth.sessions.revoke(old.sessionId);
  }
  const { username, role } = issued.principal;
  return jsonResponse(
    { user: { username, role }, expiresAt: issued.expiresAt.toISOString() },
    { headers: { "Set-Cookie": sessionCookie(issued.token, auth.secureCookies) } },
  );
});
