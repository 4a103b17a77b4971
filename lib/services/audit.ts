import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";

export const AUDIT_SOURCES = ["web", "api", "discord", "guardian", "schedule", "system"] as const;
export type AuditSource = (typeof AUDIT_SOURCES)[number];

export interface AuditEvent {
  actor: string;
  source: AuditSource;
  action: string;
  ip?: string | null;
  result: string;
  details?: unknown;
}

export interface AuditRow {
  id: string;
  at: Date;
  actor: string;
  source: string;
  action: string;
  ip: string | null;
  result: string;
  details: unknown;
}

export interface AuditQuery {
  from?: Date;
  to?: Date;
  limit?: number;
  /** The id of the last row of the previous page; the next page starts just below it. */
  cursor?: string;
}

export interface AuditPage {
  rows: AuditRow[];
  nextCursor: string | null;
}

export const AUDIT_PAGE_MAX = 1_000;
const AUDIT_PAGE_DEFAULT = 100;

type AuditClient = Pick<PrismaClient, "auditLog">;

/** Appends one entry to the audit log; the table refuses UPDATE and DELETE. */
export async function recordAudit(prisma: AuditClient, event: AuditEvent): Promise<AuditRow> {
  const row = await prisma.auditLog.create({
    data: {
      actor: event.actor,
      source: event.source,
      action: event.action,
      ip: event.ip ?? null,
      result: event.result,
      details: toJson(event.details),
    },
  });
  return toAuditRow(row);
}

/** Newest first (by id, the order of insertion), between `from` (inclusive) and `to` (exclusive), one page at a time. */
export async function listAudit(prisma: AuditClient, query: AuditQuery = {}): Promise<AuditPage> {
  const limit = Math.min(Math.max(query.limit ?? AUDIT_PAGE_DEFAULT, 1), AUDIT_PAGE_MAX);
  const rows = await prisma.auditLog.findMany({
    where: {
      at: { gte: query.from, lt: query.to },
      ...(query.cursor === undefined ? {} : { id: { lt: BigInt(query.cursor) } }),
    },
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit).map(toAuditRow);
  return { rows: page, nextCursor: rows.length > limit ? page[page.length - 1].id : null };
}

const CSV_COLUMNS = ["id", "at", "actor", "source", "action", "ip", "result", "details"] as const;

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are defused with a quote. */
export function auditCsv(rows: readonly AuditRow[]): string {
  const lines = rows.map((row) =>
    [
      row.id,
      row.at.toISOString(),
      row.actor,
      row.source,
      row.action,
      row.ip ?? "",
      row.result,
      row.details === null || row.details === undefined ? "" : JSON.stringify(row.details),
    ].map(csvCell),
  );
  return [CSV_COLUMNS.join(","), ...lines.map((cells) => cells.join(","))].join("\r\n") + "\r\n";
}

function csvCell(value: string): string {
  const defused = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(defused) ? `"${defused.replaceAll('"', '""')}"` : defused;
}

/** Details are stored as JSON: Dates become ISO strings, bigints decimal strings, undefined is dropped. */
function toJson(details: unknown): Prisma.InputJsonValue | undefined {
  if (details === undefined || details === null) return undefined;
  const text = JSON.stringify(details, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
  // JSON.parse of JSON.stringify's output is JSON by construction.
  return JSON.parse(text) as Prisma.InputJsonValue;
}

/** A row as Postgres returns it: the id is a bigint, shown to clients as a string. */
type StoredAuditRow = Omit<AuditRow, "id"> & { id: bigint };

function toAuditRow(row: StoredAuditRow): AuditRow {
  return { ...row, id: row.id.toString(), details: row.details ?? null };
}
