import { assertSession, jsonResponse, readBody, withAuth } from "@/lib/auth";
import { passwordConfirmation } from "@/lib/auth/schemas";

export const dynamic = "force-dynamic";

export const GET = withAuth("read", async (_request, principal, { auth }) => {
  assertSession(principal);
  return jsonResponse(await auth.totp.status(principal.userId));
});

/**
 * Starts enrolment (needs the password, so a borrowed session cannot lock the owner out): a new
 * secret and its otpauth:// URI, active only once confirmed with a code.
 */
export const POST = withAuth("read", async (request, principal, { auth, meta }) => {
  assertSession(principal);
  const { password } = await readBody(request, passwordConfirmation);
  await auth.confirmPassword(principal, password, meta);
  return jsonResponse(await auth.totp.begin(principal), { status: 201 });
});

/** Turns two-factor sign-in off; needs the password. */
export const DELETE = withAuth("read", async (request, principal, { auth, meta }) => {
  assertSession(principal);
  const { password } = await readBody(request, passwordConfirmation);
  await auth.confirmPassword(principal, password, meta);
  await auth.totp.disable(principal, meta);
  return jsonResponse({ ok: true });
});
