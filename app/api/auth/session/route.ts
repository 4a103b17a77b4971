import { can, jsonResponse, withAuth } from "@/lib/auth";

export const dynamic = "force-dynamic";

/** Who is signed in and what they may do. */
export const GET = withAuth("read", async (_request, principal) =>
  jsonResponse({
    user: { id: principal.userId, username: principal.username, role: principal.role },
    via: principal.via,
    permissions: { read: true, trade: can(principal, "trade"), admin: can(principal, "admin") },
  }),
);
