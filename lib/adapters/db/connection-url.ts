import { z } from "zod";

/** A Postgres connection URL, checked once at the boundary. */
export const postgresUrlSchema = z
  .string({ error: "must be a postgresql:// connection URL" })
  .refine((value) => parseOrNull(value) !== null, {
    error: "must be a postgresql:// (or postgres://) URL with a host, e.g. postgresql://user@127.0.0.1:5432/kestrel",
  });

/** Prisma's default schema when the URL has no `?schema=`. */
export const DEFAULT_SCHEMA = "public";

export interface DatabaseTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  /** The Postgres schema Prisma works in (`?schema=` or "public"). */
  schema: string;
}

export function parseDatabaseUrl(url: string): DatabaseTarget {
  const parsed = parseOrNull(url);
  if (!parsed) throw new Error(`not a postgresql:// connection URL: ${describeUnparseable(url)}`);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ""),
    port: parsed.port ? Number(parsed.port) : 5432,
    database: decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || "postgres",
    user: decodeURIComponent(parsed.username) || "postgres",
    schema: parsed.searchParams.get("schema") || DEFAULT_SCHEMA,
  };
}

/** "user@host:port/database", for messages and logs: never the password. */
export function describeDatabase(url: string): string {
  try {
    const { user, host, port, database } = parseDatabaseUrl(url);
    return `${user}@${host}:${port}/${database}`;
  } catch {
    return describeUnparseable(url);
  }
}

/** The same server and credentials, another database. */
export function withDatabaseName(url: string, database: string): string {
  const parsed = parseOrNull(url);
  if (!parsed) throw new Error(`not a postgresql:// connection URL: ${describeUnparseable(url)}`);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** Options for `pg` that honour Prisma's `?schema=` parameter, which `pg` itself ignores. */
export function pgConnectionOptions(url: string): { connectionString: string; options?: string } {
  const { schema } = parseDatabaseUrl(url);
  if (schema === DEFAULT_SCHEMA) return { connectionString: url };
  return { connectionString: url, options: `-c search_path=${quoteIdentifier(schema)}` };
}

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "::1"]);

/** Refuses a database that is not on this machine (tests and fixtures must never reach real data). */
export function assertLocalDatabase(url: string, variable = "the database URL"): void {
  const { host } = parseDatabaseUrl(url);
  if (!LOCAL_HOSTS.has(host)) {
    throw new Error(`${variable} points at "${host}"; only a database on 127.0.0.1, localhost or ::1 is allowed here`);
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function parseOrNull(value: string): URL | null {
  try {
    const parsed = new URL(value);
    const isPostgres = parsed.protocol === "postgresql:" || parsed.protocol === "postgres:";
    return isPostgres && parsed.hostname ? parsed : null;
  } catch {
    return null;
  }
}

function describeUnparseable(value: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(value)?.[0];
  return scheme ? `(a ${scheme} URL)` : "(not a URL)";
}
