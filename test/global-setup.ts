/**
 * Vitest globalSetup: one fresh, migrated database per test run, named
 * kestrel_test_<yyyyMMddHHmmss>_<pid>, on the server DATABASE_URL names (which must be local)
 * or else on an embedded Postgres kept in .data/postgres-test. Dropped when the run ends.
 *
 * Test runs started side by side share the embedded server: a run attaches to one already
 * running, and the last run to finish shuts it down.
 */
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "@/lib/adapters/db/embedded";
import { assertLocalDatabase } from "@/lib/adapters/db/connection-url";
import { applyMigrations } from "@/lib/adapters/db/migrate";
import { DEFAULT_MIGRATIONS_DIR } from "@/lib/adapters/db/migration-files";
import { createScratchDatabase, dropStaleScratchDatabases, listScratchDatabases, type ScratchDatabase } from "@/lib/adapters/db/scratch-database";

const quietLog = { info: () => undefined, warn: (...args: unknown[]) => console.warn(...args), debug: () => undefined };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let embedded: EmbeddedDatabase | undefined;
  let database: ScratchDatabase | undefined;
  const teardown = async () => {
    await database?.drop();
    if (!embedded) return;
    if (await otherRunsAreUsing(embedded.databaseUrl)) embedded.release();
    else await embedded.stop();
  };
  try {
    const serverUrl = process.env.DATABASE_URL;
    if (serverUrl) assertLocalDatabase(serverUrl, "DATABASE_URL");
    else {
      const clusterDir = path.resolve(".data/postgres-test");
      embedded = await startEmbeddedPostgres({ clusterDir, whenRunning: "attach", log: quietLog });
    }
    const testServerUrl = serverUrl ?? embedded!.databaseUrl;

    await dropStaleScratchDatabases(testServerUrl);
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

/** Scratch databases of other runs (stale ones were dropped at set-up) mean they still need the server. */
async function otherRunsAreUsing(serverUrl: string): Promise<boolean> {
  return (await listScratchDatabases(serverUrl)).length > 0;
}
