import { jsonResponse, withAuth } from "@/lib/auth";
import { idParams } from "@/lib/auth/schemas";

export const dynamic = "force-dynamic";

/** Revokes at once: the next request with this token is refused. */
export const DELETE = withAuth("admin", async (_request, principal, { auth, meta, params }) => {
  const { id } = idParams.parse(params);
  await auth.tokens.revoke(principal, id, meta);
  return jsonResponse({ ok: true });
});
