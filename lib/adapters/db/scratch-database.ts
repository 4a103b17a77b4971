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

const SCRATCH_NAME = /^kestrel_(?:test|shadow|engine|check|migrate)_(\d{14})_\d+(?:_[0-9a-f]{6})?$/;

/**
 * Drops scratch databases older than `olderThanMs` that a killed run left behind. Only names
 * this module makes are considered; their timestamp says when they were made.
 */
export async function dropStaleScratchDatabases(serverUrl: string, { olderThanMs = 3_600_000, now = new Date() } = {}): Promise<string[]> {
  const stale = (await listScratchDatabases(serverUrl)).filter((database) => now.getTime() - database.createdAt.getTime() > olderThanMs);
  for (const { name } of stale) await runOnServer(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  return stale.map((database) => database.name);
}

/** The scratch databases on a server, with the time their names say they were made. */
export async function listScratchDatabases(serverUrl: string): Promise<Array<{ name: string; createdAt: Date }>> {
  const rows = await queryOnServer<{ datname: string }>(serverUrl, "SELECT datname FROM pg_database WHERE datname LIKE 'kestrel\\_%'");
  return rows.flatMap(({ datname }) => {
    const stamp = SCRATCH_NAME.exec(datname)?.[1];
    return stamp === undefined ? [] : [{ name: datname, createdAt: new Date(stampToTime(stamp)) }];
  });
}

function stampToTime(stamp: string): number {
  const [year, month, day, hour, minute, second] = [0, 4, 6, 8, 10, 12].map((at, i) => Number(stamp.slice(at, i === 0 ? 4 : at + 2)));
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** Runs one statement on the server's maintenance connection (the URL's own database). */
async function runOnServer(serverUrl: string, sql: string): Promise<void> {
  await queryOnServer(serverUrl, sql);
}

async function queryOnServer<Row extends pg.QueryResultRow>(serverUrl: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`cannot reach the database server ${describeDatabase(serverUrl)}: ${(error as Error).message}`);
  }
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}
