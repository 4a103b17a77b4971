import { createHash } from "node:crypto";
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase } from "@/test/db";
import { applyMigrations, MigrationError } from "./migrate";
import type { ScratchDatabase } from "./scratch-database";

const MIGRATIONS = path.resolve("prisma/migrations");
const quiet = { info: () => undefined, warn: () => undefined };

async function migrationNamesOnDisk(dir = MIGRATIONS): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
}

async function query<Row extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

const historyOf = (url: string) => query<MigrationRow>(url, "SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name");

describe("applyMigrations on an empty database", () => {
  let database: ScratchDatabase;
  let firstRun: { applied: string[] };

  beforeAll(async () => {
    database = await freshDatabase();
    firstRun = await applyMigrations({ databaseUrl: database.url, migrationsDir: MIGRATIONS, log: quiet });
  });
  afterAll(() => database.drop());

  it("applies every migration directory, in name order", async () => {
    expect(firstRun.applied).toEqual(await migrationNamesOnDisk());
    const tables = await query<{ tablename: string }>(database.url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    expect(tables.map((row) => row.tablename)).toEqual(
      expect.arrayContaining(["orders", "order_status_events", "executions", "commissions", "position_snapshots", "audit_log"]),
    );
  });

  it("records each migration as Prisma does: sha256 of the file, finished, one step, no logs", async () => {
    const rows = await historyOf(database.url);
    const names = await migrationNamesOnDisk();
    expect(rows.map((row) => row.migration_name)).toEqual(names);
    for (const row of rows) {
      const bytes = await readFile(path.join(MIGRATIONS, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(bytes).digest("hex"));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.applied_steps_count).toBe(1);
      expect(row.logs).toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.finished_at).not.toBeNull();
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    }
  });

  it("creates _prisma_migrations with Prisma's exact column definitions", async () => {
    const columns = await query(
      database.url,
      `SELECT column_name, data_type, character_maximum_length AS length, is_nullable, column_default
         FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: "id", data_type: "character varying", length: 36, is_nullable: "NO", column_default: null },
      { column_name: "checksum", data_type: "character varying", length: 64, is_nullable: "NO", column_default: null },
      { column_name: "finished_at", data_type: "timestamp with time zone", length: null, is_nullable: "YES", column_default: null },
      { column_name: "migration_name", data_type: "character varying", length: 255, is_nullable: "NO", column_default: null },
      { column_name: "logs", data_type: "text", length: null, is_nullable: "YES", column_default: null },
      { column_name: "rolled_back_at", data_type: "timestamp with time zone", length: null, is_nullable: "YES", column_default: null },
      { column_name: "started_at", data_type: "timestamp with time zone", length: null, is_nullable: "NO", column_default: "now()" },
      { column_name: "applied_steps_count", data_type: "integer", length: null, is_nullable: "NO", column_default: "0" },
    ]);
    const [primaryKey] = await query<{ conname: string }>(
      database.url,
      "SELECT conname FROM pg_constraint WHERE conrelid = '_prisma_migrations'::regclass AND contype = 'p'",
    );
    expect(primaryKey.conname).toBe("_prisma_migrations_pkey");
  });

  it("is idempotent: a second start applies nothing and leaves the history as it was", async () => {
    const before = await historyOf(database.url);
    await expect(applyMigrations({ databaseUrl: database.url, migrationsDir: MIGRATIONS, log: quiet })).resolves.toEqual({ applied: [] });
    expect(await historyOf(database.url)).toEqual(before);
  });
});

describe("applyMigrations guards the history", () => {
  let workDir: string;
  let migrationsDir: string;
  let database: ScratchDatabase;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), "kestrel-migrations-"));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));
  afterEach(() => database?.drop());

  async function copyOfMigrations(): Promise<string> {
    migrationsDir = path.join(workDir, `m${Math.random().toString(36).slice(2)}`);
    await cp(MIGRATIONS, migrationsDir, { recursive: true });
    return migrationsDir;
  }

  async function addMigration(dir: string, name: string, sql: string): Promise<void> {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, "migration.sql"), sql);
  }

  it("refuses to start when an applied migration was edited, naming it", async () => {
    const dir = await copyOfMigrations();
    database = await freshDatabase();
    await applyMigrations({ databaseUrl: database.url, migrationsDir: dir, log: quiet });
    const [first] = await migrationNamesOnDisk(dir);
    await appendFile(path.join(dir, first, "migration.sql"), "\n-- an afterthought\n");

    const attempt = applyMigrations({ databaseUrl: database.url, migrationsDir: dir, log: quiet });
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(new RegExp(`${first}.*modified after it was applied`));
  });

  it("treats a checkout with Windows line endings as unchanged, as Prisma does", async () => {
    const dir = await copyOfMigrations();
    database = await freshDatabase();
    await applyMigrations({ databaseUrl: database.url, migrationsDir: dir, log: quiet });
    for (const name of await migrationNamesOnDisk(dir)) {
      const file = path.join(dir, name, "migration.sql");
      await writeFile(file, (await readFile(file, "utf8")).replaceAll("\n", "\r\n"));
    }
    await expect(applyMigrations({ databaseUrl: database.url, migrationsDir: dir, log: quiet })).resolves.toEqual({ applied: [] });
  });

  it("records a failed migration with its logs, rolls its changes back, and refuses until it is resolved", async () => {
    const dir = await copyOfMigrations();
    await addMigration(dir, "20991231000000_broken", 'CREATE TABLE "half_done" (id int);\nSELECT * FROM "no_such_table";\n');
    database = await freshDatabase();

    await expect(applyMigrations({ databaseUrl: database.url, migrationsDir: dir, log: quiet })).rejects.toThrow(
      /20991231000000_broken failed.*no_such_table/s,
    );
    const failed = (await historyOf(database.url)).find((row) => row.migration_name === "20991231000000_broken")!;
    expect(failed.finished_at).toBeNull();
    expect(failed.applied_steps_count).toBe(0);
    expect(failed.logs).toContain("Migration name: 20991231000000_broken");
    expect(failed.logs).toContain("Database error code: 42P01");
    const halfDone = await query(database.url, "SELECT to_regclass('public.half_done') AS name");
    expect(halfDone).toEqual([{ name: null }]);

    await expect(applyMigrations({ databaseUrl: database.url, migrationsDir: dir, log: quiet })).rejects.toThrow(
      /migration 20991231000000_broken failed.*migrate resolve --rolled-back 20991231000000_broken/s,
    );

    await writeFile(path.join(dir, "20991231000000_broken", "migration.sql"), 'CREATE TABLE "half_done" (id int);\n');
    await query(database.url, "UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = $1", [failed.id]);
    await expect(applyMigrations({ databaseUrl: database.url, migrationsDir: dir, log: quiet })).resolves.toEqual({
      applied: ["20991231000000_broken"],
    });
  });

  it("applies once when two processes start together: the second waits for the lock and finds nothing to do", async () => {
    const dir = await copyOfMigrations();
    await addMigration(dir, "20991231000000_slow", "SELECT pg_sleep(0.5);\nCREATE TABLE \"slow_marker\" (id int);\n");
    database = await freshDatabase();

    const results = await Promise.all([
      applyMigrations({ databaseUrl: database.url, migrationsDir: dir, log: quiet }),
      applyMigrations({ databaseUrl: database.url, migrationsDir: dir, log: quiet }),
    ]);
    const all = await migrationNamesOnDisk(dir);
    expect(results.map((result) => result.applied.length).sort()).toEqual([0, all.length]);
    const rows = await historyOf(database.url);
    expect(rows.map((row) => row.migration_name).sort()).toEqual(all);
  });

  it("gives up with a clear message when another process holds Prisma's migration lock", async () => {
    database = await freshDatabase();
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query("SELECT pg_advisory_lock(72707369)");
      await expect(
        applyMigrations({ databaseUrl: database.url, migrationsDir: MIGRATIONS, log: quiet, lockTimeoutMs: 300 }),
      ).rejects.toThrow(/pg_advisory_lock\(72707369\).*more than 300 ms/);
    } finally {
      await holder.end();
    }
  });

  it("refuses a database that already has tables but no migration history", async () => {
    database = await freshDatabase();
    await query(database.url, 'CREATE TABLE "somebody_elses" (id int)');
    await expect(applyMigrations({ databaseUrl: database.url, migrationsDir: MIGRATIONS, log: quiet })).rejects.toThrow(
      /already has tables \(somebody_elses\) but no _prisma_migrations history/,
    );
  });

  it("names the server, never the password, when the database cannot be reached", async () => {
    const attempt = applyMigrations({
      databaseUrl: "postgresql://kestrel:hunter2@127.0.0.1:1/kestrel",
      migrationsDir: MIGRATIONS,
      log: quiet,
    });
    await expect(attempt).rejects.toThrow(/cannot reach the database kestrel@127\.0\.0\.1:1\/kestrel/);
    await expect(attempt).rejects.not.toThrow(/hunter2/);
  });

  it("honours Prisma's ?schema= parameter: tables and history go to that schema", async () => {
    database = await freshDatabase();
    const url = `${database.url}?schema=kestrel_app`;
    await expect(applyMigrations({ databaseUrl: url, migrationsDir: MIGRATIONS, log: quiet })).resolves.toMatchObject({
      applied: await migrationNamesOnDisk(),
    });
    const tables = await query<{ schemaname: string; tablename: string }>(
      database.url,
      "SELECT schemaname, tablename FROM pg_tables WHERE tablename IN ('_prisma_migrations', 'orders')",
    );
    expect(tables.map((row) => `${row.schemaname}.${row.tablename}`).sort()).toEqual(["kestrel_app._prisma_migrations", "kestrel_app.orders"]);
    await expect(applyMigrations({ databaseUrl: url, migrationsDir: MIGRATIONS, log: quiet })).resolves.toEqual({ applied: [] });
  });

  it("refuses to start when the migrations directory is missing", async () => {
    database = await freshDatabase();
    await expect(
      applyMigrations({ databaseUrl: database.url, migrationsDir: path.join(workDir, "nowhere"), log: quiet }),
    ).rejects.toThrow(/migrations directory .*nowhere does not exist/);
  });
});
