import { HttpError, jsonResponse, withAuth } from "@/lib/auth";

export const dynamic = "force-dynamic";

/** Posts one message through the configured webhook now, so the owner sees it work (or why not). */
export const POST = withAuth("admin", async (_request, principal, { services }) => {
  try {
    await services.discord.sendTest(principal.username);
  } catch (error) {
    throw new HttpError(502, "discord_failed", error instanceof Error ? error.message : String(error));
  }
  return jsonResponse({ sent: true });
});
