/**
 * Database helpers for tests. Every test run gets its own database, created and migrated by
 * test/global-setup.ts on a local server and dropped when the run ends; tests never touch a
 * database they did not make.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, inject } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { assertLocalDatabase } from "@/lib/adapters/db/connection-url";
import { applyMigrations } from "@/lib/adapters/db/migrate";
import { DEFAULT_MIGRATIONS_DIR } from "@/lib/adapters/db/migration-files";
import { createScratchDatabase, type ScratchDatabase } from "@/lib/adapters/db/scratch-database";

declare module "vitest" {
  export interface ProvidedContext {
    /** The migrated database of this test run. */
    kestrelTestDatabaseUrl: string;
    /** The server it lives on, where tests may create databases of their own. */
    kestrelTestServerUrl: string;
  }
}

export { assertLocalDatabase };
const quietLog = { info: () => undefined, warn: () => undefined };

export function testDatabaseUrl(): string {
  return provided("kestrelTestDatabaseUrl", "KESTREL_TEST_DATABASE_URL");
}

export function testServerUrl(): string {
  return provided("kestrelTestServerUrl", "KESTREL_TEST_SERVER_URL");
}

/** A Prisma client on this run's database; disconnect it in afterAll. */
export function createTestPrisma(): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: testDatabaseUrl() }) });
}

/**
 * A database of the test's own on the test server, empty unless `migrated` is set; drop it in
 * afterAll/afterEach.
 */
export async function freshDatabase({ migrated = false }: { migrated?: boolean } = {}): Promise<ScratchDatabase> {
  const database = await createScratchDatabase(testServerUrl(), "kestrel_test", { unique: true });
  if (migrated) {
    await applyMigrations({ databaseUrl: database.url, migrationsDir: DEFAULT_MIGRATIONS_DIR, log: quietLog }).catch(async (error: unknown) => {
      await database.drop();
      throw error;
    });
  }
  return database;
}

export interface ScratchPrisma {
  readonly prisma: PrismaClient;
  readonly url: string;
}

/**
 * A migrated database of the suite's own with a Prisma client on it: made before the suite's
 * tests and dropped after them. Call at the top of a file or a describe block.
 */
export function scratchPrismaForSuite(): ScratchPrisma {
  let database: ScratchDatabase | undefined;
  let client: PrismaClient | undefined;
  beforeAll(async () => {
    database = await freshDatabase({ migrated: true });
    client = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  });
  afterAll(async () => {
    await client?.$disconnect();
    await database?.drop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the scratch database is made in beforeAll: use it inside hooks and tests");
    return value;
  };
  return {
    get prisma() {
      return ready(client);
    },
    get url() {
      return ready(database).url;
    },
  };
}

function provided(key: "kestrelTestDatabaseUrl" | "kestrelTestServerUrl", variable: string): string {
  const url = safeInject(key) ?? process.env[variable];
  if (!url) throw new Error(`${variable} is not set: run the tests through Vitest so test/global-setup.ts prepares the database`);
  assertLocalDatabase(url, variable);
  return url;
}

function safeInject(key: "kestrelTestDatabaseUrl" | "kestrelTestServerUrl"): string | undefined {
  try {
    return inject(key);
  } catch {
    return undefined;
  }
}
