import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, testDatabaseUrl, testServerUrl } from "@/test/db";
import { diffDatabaseToSchema, diffMigrationsToSchema, readMigrationList, readSchemaFiles, withSchemaEngine } from "./schema-engine";
import type { ScratchDatabase } from "./scratch-database";

const SCHEMA_DIR = "prisma/schema";

async function run(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe("the migrated schema has no drift against prisma/schema (Prisma's own differ)", () => {
  let drifted: ScratchDatabase;

  beforeAll(async () => {
    drifted = await freshDatabase({ migrated: true });
    await run(drifted.url, 'ALTER TABLE "executions" DROP COLUMN "order_ref"');
  });
  afterAll(() => drifted.drop());

  it("database -> schema is empty for the database the migrations built", async () => {
    const schemaFiles = await readSchemaFiles(SCHEMA_DIR);
    const diff = await withSchemaEngine({ serverUrl: testServerUrl(), schemaFiles, databaseUrl: testDatabaseUrl() }, (engine) =>
      diffDatabaseToSchema(engine, schemaFiles),
    );
    expect(diff).toBe("");
  });

  it("migrations -> schema is empty too (what scripts/db/check.ts verifies in CI)", async () => {
    const schemaFiles = await readSchemaFiles(SCHEMA_DIR);
    const migrations = await readMigrationList("prisma/migrations");
    const diff = await withSchemaEngine({ serverUrl: testServerUrl(), schemaFiles }, (engine) =>
      diffMigrationsToSchema(engine, migrations, schemaFiles),
    );
    expect(diff).toBe("");
  });

  it("does see drift when there is some", async () => {
    const schemaFiles = await readSchemaFiles(SCHEMA_DIR);
    const diff = await withSchemaEngine({ serverUrl: testServerUrl(), schemaFiles, databaseUrl: drifted.url }, (engine) =>
      diffDatabaseToSchema(engine, schemaFiles),
    );
    expect(diff).toMatch(/ALTER TABLE "executions" ADD COLUMN\s+"order_ref" TEXT/);
  });

  it("drops its scratch and shadow databases afterwards", async () => {
    const schemaFiles = await readSchemaFiles(SCHEMA_DIR);
    const migrations = await readMigrationList("prisma/migrations");
    let scratchName = "";
    await withSchemaEngine({ serverUrl: testServerUrl(), schemaFiles }, async (engine, scratchUrl) => {
      scratchName = new URL(scratchUrl).pathname.slice(1);
      await diffMigrationsToSchema(engine, migrations, schemaFiles);
    });
    const client = new pg.Client({ connectionString: testServerUrl() });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname = $1", [scratchName]);
      expect(scratchName).toMatch(/^kestrel_engine_\d{14}_\d+_[0-9a-f]{6}$/);
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
