import type { Logger } from "pino";
import { isLoopbackAddress } from "@/lib/runtime/request-meta";
import { newPassword, username as usernameSchema } from "./schemas";
import type { AuthService } from "./service";

export const DEFAULT_OWNER_USERNAME = "owner";

export interface EnsureOwnerOptions {
  auth: AuthService;
  env: { KESTREL_ADMIN_PASSWORD?: string; KESTREL_ADMIN_USER?: string };
  log: Logger;
  /** Where a browser on this machine reaches Kestrel, e.g. http://127.0.0.1:3000. */
  publicBaseUrl: string;
}

/**
 * First start: the owner comes from KESTREL_ADMIN_PASSWORD, or else a one-time setup link is
 * created and logged (the only place its token ever appears). Later starts change nothing.
 */
export async function ensureOwner(options: EnsureOwnerOptions): Promise<{ ownerExists: boolean; setupUrl?: string }> {
  const { auth, env, log } = options;
  if (await auth.ownerExists()) return { ownerExists: true };
  if (env.KESTREL_ADMIN_PASSWORD) {
    const username = parseOrExplain(usernameSchema, env.KESTREL_ADMIN_USER ?? DEFAULT_OWNER_USERNAME, "KESTREL_ADMIN_USER");
    const password = parseOrExplain(newPassword, env.KESTREL_ADMIN_PASSWORD, "KESTREL_ADMIN_PASSWORD");
    await auth.createOwner(username, password);
    log.info({ username }, "owner account created from KESTREL_ADMIN_PASSWORD");
    return { ownerExists: true };
  }
  const { token, expiresAt } = await auth.invites.createSetupLink();
  const setupUrl = `${options.publicBaseUrl.replace(/\/+$/, "")}/setup?token=${token}`;
  log.warn({ setupUrl, expiresAt }, "no owner yet: open this link from this machine to create one (valid once, until it expires)");
  return { ownerExists: false, setupUrl };
}

function parseOrExplain<T>(schema: { safeParse: (value: unknown) => { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, value: string, name: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new Error(`${name}: ${result.error.issues.map((issue) => issue.message).join("; ")}`);
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || isLoopbackAddress(host);
}

/** Refuses to listen beyond this machine before an owner password exists. */
export function assertSafeListenAddress(host: string, ownerExists: boolean): void {
  if (ownerExists || isLoopbackHost(host)) return;
  throw new Error(
    `Refusing to listen on ${host} while Kestrel has no owner password: anyone on the network could take the dashboard. ` +
      "Set KESTREL_ADMIN_PASSWORD (and KESTREL_ADMIN_USER), or start once with HOST=127.0.0.1 and finish /setup first.",
  );
}
