import type { Logger } from "pino";
import { applyMigrations } from "@/lib/adapters/db/migrate";
import { DEFAULT_MIGRATIONS_DIR } from "@/lib/adapters/db/migration-files";
import { createDatabase } from "@/lib/adapters/db/client";
import { DEFAULT_INSTANCES, instanceConfigSchema } from "@/lib/services/strategy-runner";
import { E2E_FAST_STRATEGY } from "./strategies";

/**
 * Migrates the end-to-end database and stores the strategy instances before the app starts
 * (the runner reads them once, at start): the first-start default first, then the specs' own.
 */
export async function seedDatabase(databaseUrl: string, log: Logger): Promise<void> {
  await applyMigrations({ databaseUrl, migrationsDir: DEFAULT_MIGRATIONS_DIR, log });
  const database = await createDatabase({ databaseUrl, log });
  try {
    const seeds = [...DEFAULT_INSTANCES, E2E_FAST_STRATEGY].map((seed) => instanceConfigSchema.parse(seed));
    const createdAt = Date.now();
    await database.prisma.strategyInstance.createMany({
      data: seeds.map((config, index) => ({ ...config, parameters: config.parameters as object, createdAt: new Date(createdAt + index) })),
    });
  } finally {
    await database.stop();
  }
}
