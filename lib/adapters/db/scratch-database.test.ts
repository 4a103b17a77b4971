import pg from "pg";
import { describe, expect, it } from "vitest";
import { testServerUrl } from "@/test/db";
import { createScratchDatabase, dropStaleScratchDatabases, listScratchDatabases, scratchDatabaseName } from "./scratch-database";

async function run(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testServerUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function exists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: testServerUrl() });
  await client.connect();
  try {
    return (await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

describe("scratch databases", () => {
  it("are named <prefix>_<UTC yyyyMMddHHmmss>_<pid>[_<tail>]", () => {
    expect(scratchDatabaseName("kestrel_test", new Date("2026-03-04T05:06:07.890Z"), 4242)).toBe("kestrel_test_20260304050607_4242");
    expect(scratchDatabaseName("kestrel_shadow", new Date("2026-03-04T05:06:07Z"), 1, "a1b2c3")).toBe("kestrel_shadow_20260304050607_1_a1b2c3");
  });

  it("are created on the server, and dropped even while a client is still connected", async () => {
    const database = await createScratchDatabase(testServerUrl(), "kestrel_test", { unique: true });
    expect(await exists(database.name)).toBe(true);
    const lingering = new pg.Client({ connectionString: database.url });
    lingering.on("error", () => undefined);
    await lingering.connect();
    await database.drop();
    await lingering.end().catch(() => undefined);
    expect(await exists(database.name)).toBe(false);
  });

  it("left behind by killed runs are dropped once they are an hour old, and only then", async () => {
    const fresh = await createScratchDatabase(testServerUrl(), "kestrel_test", { unique: true });
    const abandoned = scratchDatabaseName("kestrel_test", new Date(Date.now() - 2 * 3_600_000), 999_999, "0dd0dd");
    await run(`CREATE DATABASE "${abandoned}"`);
    try {
      const listed = await listScratchDatabases(testServerUrl());
      expect(listed.find((entry) => entry.name === abandoned)?.createdAt.getTime()).toBeLessThan(Date.now() - 3_600_000);

      const dropped = await dropStaleScratchDatabases(testServerUrl());
      expect(dropped).toContain(abandoned);
      expect(dropped).not.toContain(fresh.name);
      expect(await exists(abandoned)).toBe(false);
      expect(await exists(fresh.name)).toBe(true);
    } finally {
      await fresh.drop();
      await run(`DROP DATABASE IF EXISTS "${abandoned}"`);
    }
  });
});
