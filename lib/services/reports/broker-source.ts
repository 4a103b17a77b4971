import type { DayKey, ExchangeCalendar } from "@/lib/core/calendar";
import type { BrokerExecution } from "@/lib/core/reports";
import type { SimLedger } from "@/lib/sim";

/**
 * The broker's own record of a day's executions with their commissions, to reconcile the
 * journal against. Live: IBKR reqExecutions (execution + commission report per execId);
 * tests: the simulator's ledger.
 */
export interface BrokerExecutionsSource {
  /** Names the source on the report ("IBKR", "simulator ledger"). */
  readonly name: string;
  executionsForDay(day: DayKey): Promise<BrokerExecution[]>;
}

/** Reads the simulator's ledger (in-process, or fetched from its admin endpoint). */
export function simulatorLedgerSource(ledger: () => SimLedger | Promise<SimLedger>, calendar: ExchangeCalendar): BrokerExecutionsSource {
  return {
    name: "simulator ledger",
    async executionsForDay(day) {
      const snapshot = await ledger();
      const commissions = new Map(snapshot.commissions.map((commission) => [commission.execId, commission.amount]));
      return snapshot.executions
        .filter((execution) => calendar.tradingDayOf(Date.parse(execution.timestamp)) === day)
        .map((execution) => ({
          execId: execution.execId,
          symbol: execution.symbol,
          side: execution.side,
          shares: execution.shares,
          price: execution.price,
          commission: commissions.get(execution.execId) ?? null,
          time: execution.timestamp,
        }));
    },
  };
}
