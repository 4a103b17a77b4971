/**
 * The start-up migration runner and Prisma Migrate must accept each other's databases. Prisma's
 * own schema engine (the WebAssembly build of the engine behind `prisma migrate deploy` and
 * `prisma migrate status`) is the referee.
 */
import { appendFile, cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, testServerUrl } from "@/test/db";
import { applyMigrations } from "./migrate";
import { NO_FILTER, readMigrationList, readSchemaFiles, withSchemaEngine } from "./schema-engine";
import type { ScratchDatabase } from "./scratch-database";

const MIGRATIONS = path.resolve("prisma/migrations");
const quiet = { info: () => undefined, warn: () => undefined };

async function prismaStatus(databaseUrl: string, migrationsDir = MIGRATIONS) {
  const schemaFiles = await readSchemaFiles("prisma/schema");
  const migrationsList = await readMigrationList(migrationsDir);
  return withSchemaEngine({ serverUrl: testServerUrl(), schemaFiles, databaseUrl }, (engine) =>
    engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTER }),
  );
}

async function prismaDeploy(databaseUrl: string): Promise<string[]> {
  const schemaFiles = await readSchemaFiles("prisma/schema");
  const migrationsList = await readMigrationList(MIGRATIONS);
  const output = await withSchemaEngine({ serverUrl: testServerUrl(), schemaFiles, databaseUrl }, (engine) =>
    engine.applyMigrations({ migrationsList, filters: NO_FILTER }),
  );
  return output.appliedMigrationNames;
}

async function migrationNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
}

async function migrationsTableShape(databaseUrl: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
         FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    return rows;
  } finally {
    await client.end();
  }
}

describe("Prisma Migrate accepts what applyMigrations did, and the other way round", () => {
  const databases: ScratchDatabase[] = [];
  let workDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), "kestrel-compat-"));
  });
  afterEach(async () => {
    for (const database of databases.splice(0)) await database.drop();
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  async function database(): Promise<ScratchDatabase> {
    const created = await freshDatabase();
    databases.push(created);
    return created;
  }

  it("`migrate status` finds the history in order and `migrate deploy` finds nothing to apply", async () => {
    const ours = await database();
    await applyMigrations({ databaseUrl: ours.url, migrationsDir: MIGRATIONS, log: quiet });

    expect(await prismaStatus(ours.url)).toEqual({
      editedMigrationNames: [],
      failedMigrationNames: [],
      hasMigrationsTable: true,
      history: null,
    });
    expect(await prismaDeploy(ours.url)).toEqual([]);
  });

  it("a database Prisma deployed starts Kestrel without re-applying anything, with the same history table", async () => {
    const theirs = await database();
    const deployed = await prismaDeploy(theirs.url);
    expect(deployed).toEqual(await migrationNames(MIGRATIONS));
    await expect(applyMigrations({ databaseUrl: theirs.url, migrationsDir: MIGRATIONS, log: quiet })).resolves.toEqual({ applied: [] });

    const ours = await database();
    await applyMigrations({ databaseUrl: ours.url, migrationsDir: MIGRATIONS, log: quiet });
    expect(await migrationsTableShape(ours.url)).toEqual(await migrationsTableShape(theirs.url));
  });

  it("Prisma sees the migrations Kestrel has not applied yet, the edits it refuses and the failures it records", async () => {
    const dir = path.join(workDir, "edited");
    await cp(MIGRATIONS, dir, { recursive: true });
    const ours = await database();
    await applyMigrations({ databaseUrl: ours.url, migrationsDir: dir, log: quiet });
    const [first] = await migrationNames(dir);
    await appendFile(path.join(dir, first, "migration.sql"), "\n-- edited later\n");
    await mkdir(path.join(dir, "20991231000000_next"));
    await writeFile(path.join(dir, "20991231000000_next", "migration.sql"), 'CREATE TABLE "next_one" (id int);\n');

    const status = await prismaStatus(ours.url, dir);
    expect(status.editedMigrationNames).toEqual([first]);
    expect(status.failedMigrationNames).toEqual([]);
    expect(status.history).toEqual({ diagnostic: "databaseIsBehind", unappliedMigrationNames: ["20991231000000_next"] });
  });

  it("Prisma reports a migration Kestrel failed to apply as failed", async () => {
    const dir = path.join(workDir, "failing");
    await cp(MIGRATIONS, dir, { recursive: true });
    const failing = "20991231000000_fails";
    await mkdir(path.join(dir, failing));
    await writeFile(path.join(dir, failing, "migration.sql"), "SELECT 1/0;\n");
    const ours = await database();
    await expect(applyMigrations({ databaseUrl: ours.url, migrationsDir: dir, log: quiet })).rejects.toThrow(/division by zero/);

    const status = await prismaStatus(ours.url, dir);
    expect(status.failedMigrationNames).toEqual([failing]);
  });
});
