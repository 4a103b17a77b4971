/**
 * Vitest globalSetup: one fresh, migrated database per test run, named
 * kestrel_test_<yyyyMMddHHmmss>_<pid>, on the server DATABASE_URL names (which must be local)
 * or else on an embedded Postgres kept in .data/postgres-test. Dropped when the run ends.
 */
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/lib/adapters/db/embedded";
import { assertLocalDatabase } from "@/lib/adapters/db/connection-url";
import { applyMigrations } from "@/lib/adapters/db/migrate";
import { DEFAULT_MIGRATIONS_DIR } from "@/lib/adapters/db/migration-files";
import { createScratchDatabase, type ScratchDatabase } from "@/lib/adapters/db/scratch-database";

const quietLog = { info: () => undefined, warn: (...args: unknown[]) => console.warn(...args), debug: () => undefined };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let embedded: EmbeddedDatabase | undefined;
  let database: ScratchDatabase | undefined;
  const teardown = async () => {
    await database?.drop();
    await embedded?.stop();
  };
  try {
    const serverUrl = process.env.DATABASE_URL;
    if (serverUrl) assertLocalDatabase(serverUrl, "DATABASE_URL");
    else embedded = await startEmbeddedPostgres({ dataDir: ".data", clusterDir: path.resolve(".data/postgres-test"), log: quietLog });
    const testServerUrl = serverUrl ?? embedded!.databaseUrl;

    database = await createScratchDatabase(testServerUrl, "kestrel_test");
    await applyMigrations({ databaseUrl: database.url, migrationsDir: path.resolve(DEFAULT_MIGRATIONS_DIR), log: quietLog });

    process.env.KESTREL_TEST_DATABASE_URL = database.url;
    process.env.KESTREL_TEST_SERVER_URL = testServerUrl;
    project.provide("kestrelTestDatabaseUrl", database.url);
    project.provide("kestrelTestServerUrl", testServerUrl);
    return teardown;
  } catch (error) {
    await teardown().catch(() => undefined);
    throw error;
  }
}
