import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseUrl } from "@/test/db";
import { createDatabase, DatabaseUnavailableError, type Database } from "./client";

const messages: string[] = [];
const log = { info: (object: object, message?: string) => void messages.push(`${message} ${JSON.stringify(object)}`), error: () => undefined };

describe("createDatabase", () => {
  let database: Database;

  beforeAll(async () => {
    database = await createDatabase({ databaseUrl: testDatabaseUrl(), log });
  });
  afterAll(() => database.stop());

  it("gives a connected Prisma client on the migrated database", async () => {
    const entry = await database.prisma.auditLog.create({ data: { actor: "test", source: "client.test", action: "connect", result: "ok" } });
    expect(entry.id).toBeTypeOf("bigint");
    await expect(database.prisma.order.count()).resolves.toBeTypeOf("number");
  });

  it("logs where it connected, without the password", () => {
    const password = new URL(testDatabaseUrl()).password;
    const connected = messages.find((message) => message.startsWith("database connected"));
    expect(connected).toContain(new URL(testDatabaseUrl()).pathname.slice(1));
    if (password) expect(connected).not.toContain(password);
  });

  it("stops once, however often it is asked", async () => {
    const second = await createDatabase({ databaseUrl: testDatabaseUrl(), log });
    await Promise.all([second.stop(), second.stop()]);
    await expect(second.stop()).resolves.toBeUndefined();
  });

  it("stops start-up with a message naming the server, never the password, when it cannot connect", async () => {
    const attempt = createDatabase({ databaseUrl: "postgresql://kestrel:hunter2@127.0.0.1:1/kestrel", log, connectTimeoutMs: 2_000 });
    await expect(attempt).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(attempt).rejects.toThrow(/cannot reach the database kestrel@127\.0\.0\.1:1\/kestrel/);
    await expect(attempt).rejects.not.toThrow(/hunter2/);
  });

  it("rejects a URL that is not a Postgres URL, saying what it expected", async () => {
    await expect(createDatabase({ databaseUrl: "mysql://root@127.0.0.1/kestrel", log })).rejects.toThrow(/postgresql:\/\//);
  });
});
