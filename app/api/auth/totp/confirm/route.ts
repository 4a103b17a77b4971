import { assertSession, jsonResponse, readBody, withAuth } from "@/lib/auth";
import { confirmTotpInput } from "@/lib/auth/schemas";

export const dynamic = "force-dynamic";

/** Confirms enrolment with a current code; answers the recovery codes, shown this once. */
export const POST = withAuth("read", async (request, principal, { auth, meta }) => {
  assertSession(principal);
  const { code } = await readBody(request, confirmTotpInput);
  const recoveryCodes = await auth.totp.confirm(principal, code, meta);
  return jsonResponse({ enabled: true, recoveryCodes });
});
