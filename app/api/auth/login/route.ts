import { ZodError } from "zod";
import { HttpError, jsonResponse, publicRoute, readBody, safeNextPath, SESSION_COOKIE, sessionCookie, type RouteContext } from "@/lib/auth";
import { readCookie } from "@/lib/auth/cookies";
import { loginInput } from "@/lib/auth/schemas";

export const dynamic = "force-dynamic";

/**
 * Signs in with a fresh session id; any session cookie sent along is ended, never upgraded.
 * The login page posts JSON; if its script has not loaded yet, the browser posts the form itself
 * and gets redirects instead (so a password never lands in a URL).
 */
export const POST = publicRoute(async (request, ctx) => {
  const isFormPost = (request.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded");
  if (!isFormPost) return signIn(request, ctx, ({ username, role }, expiresAt, cookie) =>
    jsonResponse({ user: { username, role }, expiresAt: expiresAt.toISOString() }, { headers: { "Set-Cookie": cookie } }),
  );
  const next = safeNextPath(new URLSearchParams(await request.clone().text()).get("next"));
  try {
    return await signIn(request, ctx, (_user, _expiresAt, cookie) => seeOther(next, { "Set-Cookie": cookie }));
  } catch (error) {
    if (!(error instanceof HttpError) && !(error instanceof ZodError)) throw error;
    const code = error instanceof HttpError ? error.code : "invalid_request";
    return seeOther(`/login?${new URLSearchParams({ error: code, next })}`);
  }
});

async function signIn(
  request: Request,
  { auth, meta }: RouteContext,
  respond: (user: { username: string; role: string }, expiresAt: Date, cookie: string) => Response,
): Promise<Response> {
  const { next: _next, ...input } = await readBody(request, loginInput);
  const previous = readCookie(request.headers.get("cookie"), SESSION_COOKIE);
  const issued = await auth.login(input, meta);
  if (previous) {
    const old = await auth.sessions.authenticate(previous);
    if (old?.sessionId) await auth.sessions.revoke(old.sessionId);
  }
  return respond(issued.principal, issued.expiresAt, sessionCookie(issued.token, auth.secureCookies));
}

function seeOther(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store", ...headers } });
}
