import { jsonResponse, readBody, withAuth } from "@/lib/auth";
import { createTokenInput } from "@/lib/auth/schemas";

export const dynamic = "force-dynamic";

export const GET = withAuth("admin", async (_request, principal, { auth }) =>
  jsonResponse({ tokens: await auth.tokens.list(principal.userId) }),
);

/** The token is in this answer and nowhere else, ever. */
export const POST = withAuth("admin", async (request, principal, { auth, meta }) => {
  const input = await readBody(request, createTokenInput);
  const { token, summary } = await auth.tokens.create(principal, input, meta);
  return jsonResponse({ token, ...summary }, { status: 201 });
});
