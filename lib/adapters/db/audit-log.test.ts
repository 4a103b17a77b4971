import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { createTestPrisma } from "@/test/db";

describe("audit_log is append-only (trigger from the audit_log_append_only migration)", () => {
  let prisma: PrismaClient;
  let entryId: bigint;

  beforeAll(async () => {
    prisma = createTestPrisma();
    const entry = await prisma.auditLog.create({
      data: { actor: "owner", source: "dashboard", action: "halt", result: "ok", details: { reason: "test" } },
    });
    entryId = entry.id;
  });
  afterAll(() => prisma.$disconnect());

  it("accepts new entries", async () => {
    const stored = await prisma.auditLog.findUniqueOrThrow({ where: { id: entryId } });
    expect(stored).toMatchObject({ actor: "owner", action: "halt", result: "ok", details: { reason: "test" } });
  });

  it("refuses UPDATE", async () => {
    await expect(prisma.auditLog.update({ where: { id: entryId }, data: { result: "changed" } })).rejects.toThrow(
      /audit_log is append-only: UPDATE is not allowed/,
    );
    await expect(prisma.$executeRaw`UPDATE audit_log SET actor = 'someone else'`).rejects.toThrow(/append-only/);
  });

  it("refuses DELETE", async () => {
    await expect(prisma.auditLog.delete({ where: { id: entryId } })).rejects.toThrow(/audit_log is append-only: DELETE is not allowed/);
    await expect(prisma.auditLog.deleteMany({})).rejects.toThrow(/append-only/);
  });

  it("refuses TRUNCATE", async () => {
    await expect(prisma.$executeRawUnsafe("TRUNCATE audit_log")).rejects.toThrow(/audit_log is append-only: TRUNCATE is not allowed/);
  });

  it("still holds the entry afterwards, unchanged", async () => {
    const stored = await prisma.auditLog.findUniqueOrThrow({ where: { id: entryId } });
    expect(stored.result).toBe("ok");
    expect(stored.actor).toBe("owner");
  });
});
