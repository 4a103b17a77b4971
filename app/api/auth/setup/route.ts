import { DEFAULT_OWNER_USERNAME, HttpError, jsonResponse, publicRoute, readBody, sessionCookie } from "@/lib/auth";
import { setupInput } from "@/lib/auth/schemas";
import { isLoopbackAddress } from "@/lib/runtime/request-meta";

export const dynamic = "force-dynamic";

/** Creates the owner from the one-time setup link; only from this machine. */
export const POST = publicRoute(async (request, { auth, meta }) => {
  if (!isLoopbackAddress(meta.ip)) {
    throw new HttpError(403, "not_local", "Setup only works from the machine Kestrel runs on: open the link there, via 127.0.0.1.");
  }
  const input = await readBody(request, setupInput);
  const owner = await auth.invites.redeem({ ...input, username: input.username ?? DEFAULT_OWNER_USERNAME }, "owner", meta);
  const issued = await auth.sessions.issue(owner, meta);
  return jsonResponse(
    { user: { username: owner.username, role: owner.role } },
    { status: 201, headers: { "Set-Cookie": sessionCookie(issued.token, auth.secureCookies) } },
  );
});
