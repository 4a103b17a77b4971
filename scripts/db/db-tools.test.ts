import { spawn } from "node:child_process";
import { appendFile, cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testServerUrl } from "@/test/db";

interface RunResult {
  code: number | null;
  output: string;
}

function runScript(script: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.resolve("scripts/db", script), ...args], {
      env: { ...process.env, SHADOW_DATABASE_URL: testServerUrl() },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

async function migrationDirs(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
}

const NEW_MODEL = `
model Note {
  id   Int    @id @default(autoincrement())
  text String

  @@map("notes")
}
`;

// Each run starts Node, loads the WebAssembly engine and replays the migrations: seconds each.
describe("scripts/db: new-migration and check", { timeout: 120_000 }, () => {
  let workDir: string;
  let schemaDir: string;
  let migrationsDir: string;
  const paths = () => ["--schema", schemaDir, "--migrations", migrationsDir];

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), "kestrel-db-tools-"));
    schemaDir = path.join(workDir, "schema");
    migrationsDir = path.join(workDir, "migrations");
    await cp("prisma/schema", schemaDir, { recursive: true });
    await cp("prisma/migrations", migrationsDir, { recursive: true });
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it("check passes on the repository's schema and migrations", async () => {
    const result = await runScript("check.ts", paths());
    expect(result.output).toContain("no drift");
    expect(result.code).toBe(0);
  });

  it("check fails with exit code 1 and the missing SQL once the schema changes", async () => {
    await appendFile(path.join(schemaDir, "trading.prisma"), NEW_MODEL);
    const result = await runScript("check.ts", paths());
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/CREATE TABLE "notes"/);
  });

  it("new-migration writes <yyyyMMddHHmmss>_<name>/migration.sql with that SQL, after which check passes", async () => {
    const before = await migrationDirs(migrationsDir);
    const result = await runScript("new-migration.ts", ["--name", "add_notes", ...paths()]);
    expect(result.code).toBe(0);

    const added = (await migrationDirs(migrationsDir)).filter((name) => !before.includes(name));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^\d{14}_add_notes$/);
    expect(added[0] > before.at(-1)!).toBe(true);
    const script = await readFile(path.join(migrationsDir, added[0], "migration.sql"), "utf8");
    expect(script).toMatch(/CREATE TABLE "notes" \(\s+"id" SERIAL NOT NULL,\s+"text" TEXT NOT NULL,/);
    expect(await readFile(path.join(migrationsDir, "migration_lock.toml"), "utf8")).toMatch(/^provider = "postgresql"$/m);

    expect((await runScript("check.ts", paths())).code).toBe(0);
  });

  it('new-migration says "no changes" and writes nothing when the migrations already match', async () => {
    const before = await migrationDirs(migrationsDir);
    const result = await runScript("new-migration.ts", ["--name", "again", ...paths()]);
    expect(result.code).toBe(0);
    expect(result.output).toContain("no changes");
    expect(await migrationDirs(migrationsDir)).toEqual(before);
  });

  it("new-migration refuses a missing or malformed --name", async () => {
    const missing = await runScript("new-migration.ts", paths());
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/--name is required/);
    const malformed = await runScript("new-migration.ts", ["--name", "Add Notes!", ...paths()]);
    expect(malformed.code).toBe(1);
    expect(malformed.output).toMatch(/--name must be 1-60 lower-case letters/);
  });
});
