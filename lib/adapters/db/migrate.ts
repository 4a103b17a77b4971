import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import pg from "pg";
import type { Logger } from "pino";
import { z } from "zod";
import { describeDatabase, parseDatabaseUrl, pgConnectionOptions, postgresUrlSchema, quoteIdentifier } from "./connection-url";
import { readMigrationFiles, scriptMatchesChecksum, type MigrationFile } from "./migration-files";

/** The advisory lock key Prisma Migrate takes, so Kestrel and `prisma migrate deploy` exclude each other. */
export const PRISMA_MIGRATE_LOCK_KEY = 72707369;

/** Prisma's own DDL for its history table (sql-schema-connector, Postgres flavour), verbatim. */
export const CREATE_MIGRATIONS_TABLE = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

const optionsSchema = z.object({
  databaseUrl: postgresUrlSchema,
  migrationsDir: z.string().min(1, "migrationsDir must name the prisma/migrations directory"),
  log: z.custom<Pick<Logger, "info" | "warn">>(
    (value) => typeof (value as Logger | undefined)?.info === "function" && typeof (value as Logger).warn === "function",
    "log must be a logger with info() and warn()",
  ),
  lockTimeoutMs: z.number().int().positive().default(60_000),
});

export type ApplyMigrationsOptions = z.input<typeof optionsSchema>;

/** Start-up refuses to continue: the history in the database and the files disagree, or one failed. */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

interface MigrationRecord {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
  logs: string | null;
}

/**
 * Applies every migration in `migrationsDir` not yet applied, in name order, as Prisma Migrate
 * does and with the same bookkeeping, so `prisma migrate deploy` and `prisma migrate status`
 * accept the database afterwards. Each script runs as one query in its own transaction, under
 * Prisma's advisory lock: a second process waits, then finds nothing left to apply.
 */
export async function applyMigrations(options: ApplyMigrationsOptions): Promise<{ applied: string[] }> {
  const { databaseUrl, migrationsDir, log, lockTimeoutMs } = optionsSchema.parse(options);
  const target = describeDatabase(databaseUrl);
  if (!existsSync(migrationsDir)) throw new MigrationError(`the migrations directory ${migrationsDir} does not exist`);
  const files = await readMigrationFiles(migrationsDir);
  const client = await connect(databaseUrl, target);
  try {
    await acquireMigrateLock(client, lockTimeoutMs, target);
    await ensureMigrationsTable(client, parseDatabaseUrl(databaseUrl).schema, target);
    const history = await readHistory(client);
    assertHistoryIsSound(history, files, target);
    warnAboutUnknownMigrations(history, files, log);
    const applied: string[] = [];
    for (const file of unapplied(files, history)) {
      await applyOne(client, file, target);
      log.info({ migration: file.name, database: target }, "migration applied");
      applied.push(file.name);
    }
    if (applied.length === 0) log.info({ database: target, migrations: files.length }, "database schema is up to date");
    return { applied };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function connect(databaseUrl: string, target: string): Promise<pg.Client> {
  const client = new pg.Client({ ...pgConnectionOptions(databaseUrl), connectionTimeoutMillis: 15_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    throw new MigrationError(`cannot reach the database ${target} to migrate it: ${reason(error)}`);
  }
}

async function acquireMigrateLock(client: pg.Client, timeoutMs: number, target: string): Promise<void> {
  await client.query(`SET lock_timeout = ${Math.round(timeoutMs)}`);
  try {
    await client.query(`SELECT pg_advisory_lock(${PRISMA_MIGRATE_LOCK_KEY})`);
  } catch (error) {
    if ((error as { code?: string }).code !== "55P03") throw error;
    throw new MigrationError(
      `another process has held the migration lock (pg_advisory_lock(${PRISMA_MIGRATE_LOCK_KEY})) on ${target} ` +
        `for more than ${timeoutMs} ms; is another Kestrel or \`prisma migrate\` still running?`,
    );
  } finally {
    await client.query("RESET lock_timeout");
  }
}

/** As Prisma: create the history table in an empty schema; refuse a non-empty one that lacks it. */
async function ensureMigrationsTable(client: pg.Client, schema: string, target: string): Promise<void> {
  await createSchemaIfMissing(client, schema);
  const { rows } = await client.query<{ table_name: string }>(
    `SELECT c.relname AS table_name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname = $1`,
    [schema],
  );
  const tables = rows.map((row) => row.table_name);
  if (tables.includes("_prisma_migrations")) return;
  if (tables.length > 0) {
    throw new MigrationError(
      `the database ${target} (schema "${schema}") already has tables (${tables.slice(0, 5).join(", ")}${tables.length > 5 ? ", ..." : ""}) ` +
        "but no _prisma_migrations history, so Kestrel cannot tell which migrations it holds. " +
        "Point DATABASE_URL at an empty database, or baseline this one: https://pris.ly/d/migrate-baseline",
    );
  }
  await client.query(CREATE_MIGRATIONS_TABLE);
}

/** Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when the schema exists. */
async function createSchemaIfMissing(client: pg.Client, schema: string): Promise<void> {
  const { rowCount } = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema]);
  if (rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
}

async function readHistory(client: pg.Client): Promise<MigrationRecord[]> {
  const { rows } = await client.query<MigrationRecord>(
    `SELECT id, checksum, migration_name, finished_at, rolled_back_at, started_at, logs
       FROM _prisma_migrations ORDER BY started_at`,
  );
  return rows;
}

function assertHistoryIsSound(history: MigrationRecord[], files: MigrationFile[], target: string): void {
  const live = history.filter((record) => record.rolled_back_at === null);
  const failed = live.find((record) => record.finished_at === null);
  if (failed) {
    const logs = failed.logs?.trim() ? `\n${failed.logs.trim()}` : "";
    throw new MigrationError(
      `migration ${failed.migration_name} failed on ${target} (started ${failed.started_at.toISOString()}); ` +
        "new migrations will not be applied until it is resolved. Fix the cause, then mark it rolled back with " +
        `\`npx prisma migrate resolve --rolled-back ${failed.migration_name}\` or ` +
        `\`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = '${failed.id}'\`, and start again.${logs}`,
    );
  }
  const byName = new Map(files.map((file) => [file.name, file]));
  const edited = live.filter((record) => {
    const file = byName.get(record.migration_name);
    return file !== undefined && !scriptMatchesChecksum(file.script, record.checksum);
  });
  if (edited.length > 0) {
    const names = edited.map((record) => record.migration_name).join(", ");
    throw new MigrationError(
      `migration ${names} was modified after it was applied to ${target} (its checksum no longer matches). ` +
        "Restore the original migration.sql and put the change in a new migration.",
    );
  }
}

function warnAboutUnknownMigrations(history: MigrationRecord[], files: MigrationFile[], log: Pick<Logger, "warn">): void {
  const known = new Set(files.map((file) => file.name));
  const unknown = history.filter((record) => record.rolled_back_at === null && !known.has(record.migration_name));
  if (unknown.length > 0) {
    log.warn(
      { migrations: unknown.map((record) => record.migration_name) },
      "the database has migrations this version of Kestrel does not know (was it downgraded?)",
    );
  }
}

function unapplied(files: MigrationFile[], history: MigrationRecord[]): MigrationFile[] {
  const applied = new Set(history.filter((record) => record.rolled_back_at === null).map((record) => record.migration_name));
  return files.filter((file) => !applied.has(file.name));
}

/**
 * Prisma's bookkeeping: a row is recorded as started before the script runs, so a failure
 * leaves a row with logs and no finished_at that blocks later runs until resolved.
 */
async function applyOne(client: pg.Client, file: MigrationFile, target: string): Promise<void> {
  const id = randomUUID();
  await client.query(
    "INSERT INTO _prisma_migrations (id, checksum, started_at, migration_name) VALUES ($1, $2, clock_timestamp(), $3)",
    [id, file.checksum, file.name],
  );
  try {
    await client.query("BEGIN");
    await client.query(file.script);
    await client.query(
      `UPDATE _prisma_migrations SET applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp()
        WHERE id = $1`,
      [id],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    await client.query("UPDATE _prisma_migrations SET logs = $2 WHERE id = $1", [id, failureLog(file.name, error)]);
    throw new MigrationError(`migration ${file.name} failed on ${target} and was rolled back: ${reason(error)}`);
  }
}

/** The shape of Prisma's P3018 message, so `prisma migrate status` shows something familiar. */
function failureLog(migrationName: string, error: unknown): string {
  const code = (error as { code?: string }).code ?? "none";
  return (
    "A migration failed to apply. New migrations cannot be applied before the error is recovered from. " +
    "Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\n" +
    `Migration name: ${migrationName}\n\nDatabase error code: ${code}\n\nDatabase error:\n${reason(error)}`
  );
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
