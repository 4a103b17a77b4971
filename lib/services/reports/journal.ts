import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { DayKey, ExchangeCalendar } from "@/lib/core/calendar";
import type { ManualAction, ReportFill } from "@/lib/core/reports";

type JournalClient = Pick<PrismaClient, "execution" | "commission" | "auditLog">;

interface ExecutionRow {
  execId: string;
  orderId: number;
  symbol: string;
  currency: string;
  side: string;
  shares: unknown;
  price: unknown;
  orderRef: string | null;
  executedAt: Date;
}

/**
 * The fills the report of `day` needs: the day's own, plus every earlier fill of the symbols it
 * traded (their open lots carry into the day). Commission reports are joined by execId.
 */
export async function loadDayFills(prisma: JournalClient, calendar: ExchangeCalendar, day: DayKey): Promise<ReportFill[]> {
  if (!calendar.isTradingDay(day)) return [];
  const { start, end } = calendar.tradingDayWindow(day);
  const dayRows = await prisma.execution.findMany({ where: { executedAt: { gte: new Date(start), lt: new Date(end) } } });
  if (dayRows.length === 0) return [];
  const symbols = [...new Set(dayRows.map((row) => row.symbol))];
  const earlier = await prisma.execution.findMany({ where: { symbol: { in: symbols }, executedAt: { lt: new Date(start) } } });
  const rows = [...earlier, ...dayRows];
  const commissions = await prisma.commission.findMany({ where: { execId: { in: rows.map((row) => row.execId) } } });
  const byExecId = new Map(commissions.map((commission) => [commission.execId, commission]));
  return rows.map((row) => toReportFill(row, byExecId.get(row.execId)));
}

function toReportFill(row: ExecutionRow, commission: { commission: unknown; realizedPnl: unknown } | undefined): ReportFill {
  if (row.side !== "BUY" && row.side !== "SELL") throw new Error(`execution ${row.execId} has side "${row.side}", expected BUY or SELL`);
  return {
    execId: row.execId,
    orderId: row.orderId,
    symbol: row.symbol,
    currency: row.currency,
    side: row.side,
    quantity: Number(row.shares),
    price: Number(row.price),
    commission: commission === undefined ? null : Number(commission.commission),
    brokerRealizedPnl: commission === undefined || commission.realizedPnl === null ? null : Number(commission.realizedPnl),
    orderRef: row.orderRef,
    time: row.executedAt.getTime(),
  };
}

/** The audit log's rows inside the day's window: flattens, halts, settings changes, sign-ins. */
export async function loadManualActions(prisma: JournalClient, calendar: ExchangeCalendar, day: DayKey): Promise<ManualAction[]> {
  if (!calendar.isTradingDay(day)) return [];
  const { start, end } = calendar.tradingDayWindow(day);
  const rows = await prisma.auditLog.findMany({ where: { at: { gte: new Date(start), lt: new Date(end) } }, orderBy: { id: "asc" }, take: 1_000 });
  return rows.map((row) => ({ at: row.at.getTime(), actor: row.actor, source: row.source, action: row.action, result: row.result }));
}

/** Trading days that have at least one fill, newest first. */
export async function daysWithFills(prisma: JournalClient, calendar: ExchangeCalendar, since: Date): Promise<DayKey[]> {
  const rows = await prisma.execution.findMany({ where: { executedAt: { gte: since } }, select: { executedAt: true } });
  return [...new Set(rows.map((row) => calendar.tradingDayOf(row.executedAt.getTime())))].sort().reverse();
}
