import type { DayKey, ExchangeCalendar } from "@/lib/core/calendar";
import type { BrokerExecutionRow } from "@/lib/core/reports";
import type { SimLedger } from "@/lib/sim";

/**
 * The broker's own record of a day's executions with their commissions, to reconcile the
 * journal against. Live: IBKR reqExecutions (execution + commission report per execId);
 * tests: the simulator's ledger.
 */
export interface BrokerExecutionsSource {
  /** Names the source on the report ("IBKR", "simulator ledger"). */
  readonly name: string;
  executionsForDay(day: DayKey): Promise<BrokerExecutionRow[]>;
}

/** An execution as a broker lists it; `time` is an ISO-8601 instant. */
export type ListedExecution = Pick<BrokerExecutionRow, "execId" | "symbol" | "side" | "shares" | "price"> & { time: string };

/**
 * The executions that fall in trading day `day` (overnight and weekend ones belong to the next
 * trading day) as report rows, each with its commission report by execId, null when none came.
 */
export function executionRowsForDay(
  executions: Iterable<ListedExecution>,
  commissions: ReadonlyMap<string, number>,
  calendar: ExchangeCalendar,
  day: DayKey,
): BrokerExecutionRow[] {
  return [...executions]
    .filter((execution) => calendar.tradingDayOf(Date.parse(execution.time)) === day)
    .map(({ execId, symbol, side, shares, price, time }) => ({ execId, symbol, side, shares, price, commission: commissions.get(execId) ?? null, time }));
}

/** Reads the simulator's ledger (in-process, or fetched from its admin endpoint). */
export function simulatorLedgerSource(ledger: () => SimLedger | Promise<SimLedger>, calendar: ExchangeCalendar): BrokerExecutionsSource {
  return {
    name: "simulator ledger",
    async executionsForDay(day) {
      const snapshot = await ledger();
      const commissions = new Map(snapshot.commissions.map((commission) => [commission.execId, commission.amount]));
      return executionRowsForDay(
        snapshot.executions.map((execution) => ({ ...execution, time: execution.timestamp })),
        commissions,
        calendar,
        day,
      );
    },
  };
}
