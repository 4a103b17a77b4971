import { jsonResponse, withAuth } from "@/lib/auth";

export const dynamic = "force-dynamic";

export const GET = withAuth("admin", async (_request, _principal, { auth }) => jsonResponse({ users: await auth.listUsers() }));
