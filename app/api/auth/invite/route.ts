import { jsonResponse, publicRoute, readBody, sessionCookie } from "@/lib/auth";
import { acceptInviteInput } from "@/lib/auth/schemas";

export const dynamic = "force-dynamic";

/** A viewer accepts an invite: chooses a username and password, and is signed in. */
export const POST = publicRoute(async (request, { auth, meta }) => {
  const input = await readBody(request, acceptInviteInput);
  const viewer = await auth.invites.redeem(input, "viewer", meta);
  const issued = await auth.sessions.issue(viewer, meta);
  return jsonResponse(
    { user: { username: viewer.username, role: viewer.role } },
    { status: 201, headers: { "Set-Cookie": sessionCookie(issued.token, auth.secureCookies) } },
  );
});
