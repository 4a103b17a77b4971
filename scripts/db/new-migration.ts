/**
 * Writes the next migration: the difference between what prisma/migrations builds and what
 * prisma/schema describes, rendered by Prisma's own schema engine (WebAssembly build).
 *
 *   node --import tsx scripts/db/new-migration.ts --name add_fills [--schema prisma/schema] [--migrations prisma/migrations]
 *
 * Works on a throw-away database created (and dropped) on SHADOW_DATABASE_URL's server, else
 * DATABASE_URL's, else the local server postgresql://postgres@127.0.0.1:5432/postgres.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { LOCK_FILE, LOCK_FILE_CONTENT, MIGRATION_SCRIPT, readLockFile } from "@/lib/adapters/db/migration-files";
import { NO_FILTER, readMigrationList, readSchemaFiles, withSchemaEngine } from "@/lib/adapters/db/schema-engine";
import { applyMigrations } from "@/lib/adapters/db/migrate";
import { silentLog, toolingServerUrl } from "./tooling-server";

const argsSchema = z.object({
  name: z
    .string({ error: "--name is required, e.g. --name add_fills" })
    .regex(/^[a-z0-9_]{1,60}$/, "--name must be 1-60 lower-case letters, digits or underscores, e.g. add_fills"),
  schema: z.string().default("prisma/schema"),
  migrations: z.string().default("prisma/migrations"),
});

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { name: { type: "string" }, schema: { type: "string" }, migrations: { type: "string" } } });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => issue.message).join("; "));
  const { name, schema, migrations } = parsed.data;
  const migrationsDir = path.resolve(migrations);

  const created = await createMigration(name, path.resolve(schema), migrationsDir);
  if (!created) {
    console.log("no changes: the migrations already produce the schema");
    return;
  }
  const dir = path.join(migrationsDir, created.name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, MIGRATION_SCRIPT), created.script);
  if ((await readLockFile(migrationsDir)) === null) await writeFile(path.join(migrationsDir, LOCK_FILE), LOCK_FILE_CONTENT);
  console.log(`created ${path.relative(process.cwd(), path.join(dir, MIGRATION_SCRIPT))}`);
}

async function createMigration(
  name: string,
  schemaPath: string,
  migrationsDir: string,
): Promise<{ name: string; script: string } | null> {
  const schemaFiles = await readSchemaFiles(schemaPath);
  const migrationsList = await readMigrationList(migrationsDir);
  return withSchemaEngine({ serverUrl: toolingServerUrl(), schemaFiles }, async (engine, scratchUrl) => {
    // As `prisma migrate dev --create-only` on a fresh database: bring it up to date first; the
    // engine's history check (which createMigration needs first) then replays the migrations.
    if (migrationsList.migrationDirectories.length > 0) {
      await applyMigrations({ databaseUrl: scratchUrl, migrationsDir, log: silentLog });
    }
    const diagnostic = await engine.devDiagnostic({ migrationsList, filters: NO_FILTER });
    if (diagnostic.action.tag === "reset") throw new Error(`the migrations do not replay cleanly: ${diagnostic.action.reason}`);
    const output = await engine.createMigration({
      draft: false,
      migrationName: name,
      migrationsList,
      schema: { files: schemaFiles },
      filters: NO_FILTER,
    });
    return output.migrationScript === null ? null : { name: output.generatedMigrationName, script: output.migrationScript };
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`new-migration: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
