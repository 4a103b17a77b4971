/**
 * Drift check for CI: do the migrations build exactly the database the Prisma schema describes?
 * Exit 0 when they do, 1 with the missing SQL when they do not, 2 when the check itself failed.
 *
 *   node --import tsx scripts/db/check.ts [--schema prisma/schema] [--migrations prisma/migrations]
 *
 * Replays the migrations into a throw-away database on SHADOW_DATABASE_URL's server, else
 * DATABASE_URL's, else the local server, and diffs it against the schema with Prisma's engine.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { diffMigrationsToSchema, readMigrationList, readSchemaFiles, withSchemaEngine } from "@/lib/adapters/db/schema-engine";
import { toolingServerUrl } from "./tooling-server";

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { schema: { type: "string" }, migrations: { type: "string" } } });
  const schemaPath = path.resolve(values.schema ?? "prisma/schema");
  const migrationsDir = path.resolve(values.migrations ?? "prisma/migrations");
  const drift = await findDrift(schemaPath, migrationsDir);
  if (drift === "") {
    console.log(`no drift: ${path.relative(process.cwd(), migrationsDir)} builds the schema in ${path.relative(process.cwd(), schemaPath)}`);
    return 0;
  }
  console.error(
    `drift: the schema has changes that no migration makes. Create one with\n` +
      `  node --import tsx scripts/db/new-migration.ts --name <what_changed>\n` +
      `SQL still missing from the migrations:\n\n${drift}`,
  );
  return 1;
}

async function findDrift(schemaPath: string, migrationsDir: string): Promise<string> {
  const schemaFiles = await readSchemaFiles(schemaPath);
  const migrations = await readMigrationList(migrationsDir);
  return withSchemaEngine({ serverUrl: toolingServerUrl(), schemaFiles }, (engine) =>
    diffMigrationsToSchema(engine, migrations, schemaFiles),
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`db check failed to run: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
