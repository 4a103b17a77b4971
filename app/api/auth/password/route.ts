import { assertSession, jsonResponse, readBody, withAuth } from "@/lib/auth";
import { changePasswordInput } from "@/lib/auth/schemas";

export const dynamic = "force-dynamic";

/** Changes the caller's password; every other session of theirs ends at once. */
export const POST = withAuth("read", async (request, principal, { auth, meta }) => {
  assertSession(principal);
  const input = await readBody(request, changePasswordInput);
  const otherSessionsEnded = await auth.changePassword(principal, input, meta);
  return jsonResponse({ ok: true, otherSessionsEnded });
});
