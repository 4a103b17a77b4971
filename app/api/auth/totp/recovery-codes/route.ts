import { assertSession, jsonResponse, readBody, withAuth } from "@/lib/auth";
import { passwordConfirmation } from "@/lib/auth/schemas";

export const dynamic = "force-dynamic";

/** Replaces all recovery codes with 10 new ones (the old ones stop working); needs the password. */
export const POST = withAuth("read", async (request, principal, { auth, meta }) => {
  assertSession(principal);
  const { password } = await readBody(request, passwordConfirmation);
  await auth.confirmPassword(principal, password, meta);
  return jsonResponse({ recoveryCodes: await auth.totp.regenerateRecoveryCodes(principal, meta) });
});
