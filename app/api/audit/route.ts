import { jsonResponse, withAuth } from "@/lib/auth";
import { auditQuery, auditQueryFrom } from "@/lib/auth/audit-query";
import { auditCsv, listAudit, type AuditRow } from "@/lib/services/audit";
import type { PrismaClient } from "@/lib/generated/prisma/client";

export const dynamic = "force-dynamic";

/** A CSV export holds at most this many rows; narrow the dates for more. */
const CSV_MAX_ROWS = 100_000;

export const GET = withAuth("read", async (request, _principal, { prisma }) => {
  const { format, ...query } = auditQuery.parse(auditQueryFrom(request.url));
  if (format === "json") return jsonResponse(await listAudit(prisma, query));
  const rows = await allRows(prisma, query);
  const day = new Date().toISOString().slice(0, 10);
  return new Response(auditCsv(rows), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="kestrel-audit-${day}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});

async function allRows(prisma: PrismaClient, query: { from?: Date; to?: Date }): Promise<AuditRow[]> {
  const rows: AuditRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await listAudit(prisma, { ...query, limit: 1_000, cursor });
    rows.push(...page.rows);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && rows.length < CSV_MAX_ROWS);
  return rows.slice(0, CSV_MAX_ROWS);
}
