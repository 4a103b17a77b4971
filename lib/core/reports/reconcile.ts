import { z } from "zod";
import type { FillRow, Reconciliation, ReconciliationIssue } from "./types";
import { decimalOf, ZERO } from "../model/decimal";
import { money } from "./replay";

/** One execution as the broker (or the simulator's ledger) reports it for a day. */
export const brokerExecutionSchema = z.object({
  execId: z.string().min(1, "execId is empty"),
  symbol: z.string().min(1, "symbol is empty"),
  side: z.enum(["BUY", "SELL", "BOT", "SLD"]).transform((side) => (side === "BOT" ? "BUY" : side === "SLD" ? "SELL" : side)),
  shares: z.number().positive("shares must be > 0"),
  price: z.number().positive("price must be > 0"),
  /** null: the broker has not sent the commission report. */
  commission: z.number().min(0, "commission must be >= 0").nullable(),
  time: z.union([z.number(), z.string(), z.date()]).transform((time, context) => {
    const instant = time instanceof Date ? time.getTime() : typeof time === "number" ? time : Date.parse(time);
    if (!Number.isFinite(instant)) context.addIssue({ code: "custom", message: `time is not an instant: ${String(time)}` });
    return instant;
  }),
});
export type BrokerExecutionRow = z.input<typeof brokerExecutionSchema>;
export type CheckedExecutionRow = z.output<typeof brokerExecutionSchema>;

/** Prices agree when they differ by less than this (both sides print at most 8 decimals). */
const PRICE_TOLERANCE = 1e-8;
/** Commissions agree to the cent. */
const COMMISSION_TOLERANCE = 0.005;
/** Execution times agree within a second (the wire format has whole seconds). */
const TIME_TOLERANCE_MS = 1_000;

/** Parses a broker's rows, naming the row and field of the first problem. */
export function parseBrokerExecutions(rows: readonly unknown[], source: string): CheckedExecutionRow[] {
  return rows.map((row, index) => {
    const parsed = brokerExecutionSchema.safeParse(row);
    if (parsed.success) return parsed.data;
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "row"}: ${issue.message}`).join("; ");
    throw new Error(`${source} execution #${index} is invalid: ${problems}`);
  });
}

/**
 * Compares the report's fills with the broker's executions for the same day, by execId:
 * every fill must exist on both sides with the same symbol, side, shares and price, time
 * within a second and commission within half a cent.
 */
export function reconcile(rows: readonly FillRow[], broker: readonly CheckedExecutionRow[], source: string, checkedAt: number): Reconciliation {
  const issues: ReconciliationIssue[] = [];
  const brokerById = new Map(broker.map((execution) => [execution.execId, execution]));
  const journalIds = new Set(rows.map((row) => row.execId));
  for (const row of rows) {
    const execution = brokerById.get(row.execId);
    if (!execution) {
      issues.push({ execId: row.execId, kind: "missing_at_broker" });
      continue;
    }
    issues.push(...fieldDifferences(row, execution));
  }
  for (const execution of broker) if (!journalIds.has(execution.execId)) issues.push({ execId: execution.execId, kind: "missing_in_journal" });
  return {
    status: issues.length === 0 ? "matched" : "mismatched",
    source,
    checkedAt,
    journalFills: rows.length,
    brokerFills: broker.length,
    journalCommissions: money(rows.reduce((sum, row) => sum.plus(decimalOf(row.commission)), ZERO)),
    brokerCommissions: money(broker.reduce((sum, execution) => sum.plus(decimalOf(execution.commission ?? 0)), ZERO)),
    issues,
  };
}

/** The broker could not be asked: said so on the page, never shown as "matched". */
export function reconciliationUnavailable(rows: readonly FillRow[], source: string, checkedAt: number, error: string): Reconciliation {
  return {
    status: "unavailable",
    source,
    checkedAt,
    journalFills: rows.length,
    brokerFills: 0,
    journalCommissions: money(rows.reduce((sum, row) => sum.plus(decimalOf(row.commission)), ZERO)),
    brokerCommissions: 0,
    issues: [],
    error,
  };
}

function fieldDifferences(row: FillRow, execution: CheckedExecutionRow): ReconciliationIssue[] {
  const issues: ReconciliationIssue[] = [];
  const differ = (field: string, journal: string | number | null, broker: string | number | null) =>
    issues.push({ execId: row.execId, kind: "field_mismatch", field, journal, broker });
  if (row.symbol !== execution.symbol) differ("symbol", row.symbol, execution.symbol);
  if (row.side !== execution.side) differ("side", row.side, execution.side);
  if (row.quantity !== execution.shares) differ("shares", row.quantity, execution.shares);
  if (Math.abs(row.price - execution.price) >= PRICE_TOLERANCE) differ("price", row.price, execution.price);
  if (Math.abs(row.time - execution.time) >= TIME_TOLERANCE_MS) differ("time", new Date(row.time).toISOString(), new Date(execution.time).toISOString());
  if (row.commissionMissing || execution.commission === null) {
    if (row.commissionMissing !== (execution.commission === null)) {
      issues.push({ execId: row.execId, kind: "commission_missing", journal: row.commissionMissing ? null : row.commission, broker: execution.commission });
    }
  } else if (Math.abs(row.commission - execution.commission) >= COMMISSION_TOLERANCE) {
    differ("commission", row.commission, execution.commission);
  }
  return issues;
}
