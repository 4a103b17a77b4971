import { jsonResponse, withAuth } from "@/lib/auth";

export const dynamic = "force-dynamic";

/** A one-time link for a new viewer; shown in this answer only. */
export const POST = withAuth("admin", async (_request, principal, { auth, meta }) => {
  const { token, expiresAt } = await auth.invites.createViewerInvite(principal, meta);
  return jsonResponse({ path: `/invite/${token}`, expiresAt: expiresAt.toISOString() }, { status: 201 });
});
