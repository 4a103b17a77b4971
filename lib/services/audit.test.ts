import { describe, expect, it } from "vitest";
import { scratchPrismaForSuite } from "@/test/db";
import { auditCsv, listAudit, recordAudit, type AuditRow } from "./audit";

const scratch = scratchPrismaForSuite();

describe("recordAudit / listAudit", () => {
  it("stores an entry with its details and reads it back newest first, page by page", async () => {
    for (let i = 1; i <= 5; i++) {
      await recordAudit(scratch.prisma, { actor: "owner", source: "web", action: `test.step_${i}`, ip: "127.0.0.1", result: "ok", details: { i, big: 10n ** 20n } });
    }
    const first = await listAudit(scratch.prisma, { limit: 2 });
    expect(first.rows.map((row) => row.action)).toEqual(["test.step_5", "test.step_4"]);
    expect(first.rows[0].details).toEqual({ i: 5, big: "100000000000000000000" });
    expect(first.nextCursor).toBe(first.rows[1].id);
    const second = await listAudit(scratch.prisma, { limit: 2, cursor: first.nextCursor! });
    expect(second.rows.map((row) => row.action)).toEqual(["test.step_3", "test.step_2"]);
    const third = await listAudit(scratch.prisma, { limit: 2, cursor: second.nextCursor! });
    expect(third.rows.map((row) => row.action)).toContain("test.step_1");
  });

  it("filters by time: from inclusive, to exclusive", async () => {
    const row = await recordAudit(scratch.prisma, { actor: "system", source: "system", action: "test.window", result: "ok" });
    const inside = await listAudit(scratch.prisma, { from: row.at, to: new Date(row.at.getTime() + 1) });
    expect(inside.rows.map((r) => r.id)).toContain(row.id);
    const before = await listAudit(scratch.prisma, { to: row.at });
    expect(before.rows.map((r) => r.id)).not.toContain(row.id);
  });

  it("is append-only: the database refuses UPDATE and DELETE", async () => {
    const row = await recordAudit(scratch.prisma, { actor: "owner", source: "web", action: "test.immutable", result: "ok" });
    await expect(scratch.prisma.auditLog.update({ where: { id: BigInt(row.id) }, data: { result: "forged" } })).rejects.toThrow();
    await expect(scratch.prisma.auditLog.delete({ where: { id: BigInt(row.id) } })).rejects.toThrow();
    await expect(scratch.prisma.$executeRawUnsafe(`DELETE FROM audit_log`)).rejects.toThrow();
    const again = await scratch.prisma.auditLog.findUniqueOrThrow({ where: { id: BigInt(row.id) } });
    expect(again.result).toBe("ok");
  });
});

describe("auditCsv", () => {
  const row = (overrides: Partial<AuditRow>): AuditRow => ({
    id: "1",
    at: new Date("2026-11-21T15:04:05.000Z"),
    actor: "owner",
    source: "web",
    action: "flatten_all",
    ip: null,
    result: "ok",
    details: null,
    ...overrides,
  });

  it("writes a header and one CRLF line per row, quoting commas, quotes and newlines", () => {
    const csv = auditCsv([row({ actor: 'a "quoted", name', details: { note: "two\nlines" } })]);
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe("id,at,actor,source,action,ip,result,details");
    expect(lines[1]).toBe('1,2026-11-21T15:04:05.000Z,"a ""quoted"", name",web,flatten_all,,ok,"{""note"":""two\\nlines""}"');
    expect(csv.endsWith("\r\n")).toBe(true);
  });

  it("defuses cells a spreadsheet would run as formulas", () => {
    const csv = auditCsv([row({ actor: "=HYPERLINK(\"http://x\")", result: "+1", ip: "-2", action: "@SUM(A1)" })]);
    const cells = csv.split("\r\n")[1];
    expect(cells).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(cells).toContain(",'+1");
    expect(cells).toContain(",'-2,");
    expect(cells).toContain(",'@SUM(A1),");
  });
});
