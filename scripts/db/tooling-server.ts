import { postgresUrlSchema } from "@/lib/adapters/db/connection-url";

export const LOCAL_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

/**
 * The Postgres server on which the development tools create their throw-away databases:
 * SHADOW_DATABASE_URL, else DATABASE_URL, else the local server.
 */
export function toolingServerUrl(env: Record<string, string | undefined> = process.env): string {
  const [variable, value] = env.SHADOW_DATABASE_URL
    ? ["SHADOW_DATABASE_URL", env.SHADOW_DATABASE_URL]
    : env.DATABASE_URL
      ? ["DATABASE_URL", env.DATABASE_URL]
      : ["(default)", LOCAL_SERVER_URL];
  const parsed = postgresUrlSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${variable}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** For library calls whose progress the command-line tools do not report. */
export const silentLog = { info: () => undefined, warn: () => undefined };
