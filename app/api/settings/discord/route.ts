import { HttpError, jsonResponse, readBody, withAuth } from "@/lib/auth";
import { discordSettingsInput, SecretStorageUnavailable } from "@/lib/adapters/discord/settings";

export const dynamic = "force-dynamic";

/** Whether the webhook and bot token are set, never their values. */
export const GET = withAuth("admin", async (_request, _principal, { services }) => jsonResponse(services.discord.settings.view()));

export const PUT = withAuth("admin", async (request, principal, { services, meta }) => {
  const input = await readBody(request, discordSettingsInput);
  try {
    return jsonResponse(await services.discord.settings.update(input, { user: principal.username, ip: meta.ip }));
  } catch (error) {
    if (error instanceof SecretStorageUnavailable) throw new HttpError(409, "secret_key_missing", error.message);
    throw error;
  }
});
