import { randomBytes } from "node:crypto";
import pg from "pg";
import { describeDatabase, quoteIdentifier, withDatabaseName } from "./connection-url";

/** A database made for one job (a test run, a shadow database) and dropped after it. */
export interface ScratchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates `<prefix>_<yyyyMMddHHmmss>_<pid>` (plus a short random tail when `unique` is set)
 * on the server that `serverUrl` points at, with the same credentials.
 */
export async function createScratchDatabase(
  serverUrl: string,
  prefix: string,
  { unique = false }: { unique?: boolean } = {},
): Promise<ScratchDatabase> {
  const name = scratchDatabaseName(prefix, new Date(), process.pid, unique ? randomBytes(3).toString("hex") : undefined);
  await runOnServer(serverUrl, `CREATE DATABASE ${quoteIdentifier(name)}`);
  let dropped = false;
  return {
    name,
    url: withDatabaseName(serverUrl, name),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await runOnServer(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
    },
  };
}

export function scratchDatabaseName(prefix: string, at: Date, pid: number, tail?: string): string {
  const stamp = at.toISOString().replace(/\D/g, "").slice(0, 14);
  return [prefix, stamp, String(pid), tail].filter(Boolean).join("_");
}

/** Runs one statement on the server's maintenance connection (the URL's own database). */
async function runOnServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`cannot reach the database server ${describeDatabase(serverUrl)}: ${(error as Error).message}`);
  }
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}
