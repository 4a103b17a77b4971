import { jsonResponse, withAuth } from "@/lib/auth";
import { idParams } from "@/lib/auth/schemas";

export const dynamic = "force-dynamic";

/** Removes a viewer; their sessions end and their sockets drop at once. */
export const DELETE = withAuth("admin", async (_request, principal, { auth, meta, params }) => {
  await auth.removeUser(principal, idParams.parse(params).id, meta);
  return jsonResponse({ ok: true });
});
