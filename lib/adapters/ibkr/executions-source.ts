import type { DayKey, ExchangeCalendar } from "@/lib/core/calendar";
import { executionRowsForDay, type BrokerExecutionsSource } from "@/lib/services/reports/broker-source";
import { withTimeout } from "@/lib/adapters/timeout";
import type { GatewayClient } from "./gateway-client";
import type { BrokerCommission, BrokerExecution } from "./mapping";

/**
 * IBKR's own record of a trading day: reqExecutions from the day's start, each execution with
 * its commission report (matched by execId), kept to the executions inside the day.
 * TWS only keeps executions of the current day (up to a week in TWS with the setting), so
 * older days come back empty.
 */
export function gatewayExecutionsSource(client: GatewayClient, calendar: ExchangeCalendar, timeoutMs = 15_000, readyTimeoutMs = 60_000): BrokerExecutionsSource {
  return {
    name: "IBKR",
    async executionsForDay(day: DayKey) {
      const { start } = calendar.tradingDayWindow(day);
      await untilReady(client, readyTimeoutMs);
      const { executions, commissions } = await collectExecutions(client, new Date(start), timeoutMs);
      return executionRowsForDay(
        executions.map((execution) => ({ ...execution, time: execution.executedAt.toISOString() })),
        commissions,
        calendar,
        day,
      );
    },
  };
}

/** A request sent before the session is up would be dropped: wait for the reconciled session. */
function untilReady(client: GatewayClient, timeoutMs: number): Promise<void> {
  if (client.ready) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReconciled = () => {
      if (!client.ready) return;
      clearTimeout(timer);
      client.off("reconciled", onReconciled);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off("reconciled", onReconciled);
      reject(new Error(`IBKR is not connected: the day's executions could not be asked for within ${timeoutMs} ms`));
    }, timeoutMs);
    client.on("reconciled", onReconciled);
  });
}

async function collectExecutions(client: GatewayClient, since: Date, timeoutMs: number) {
  const executions = new Map<string, BrokerExecution>();
  const commissions = new Map<string, number>();
  const onExecution = (execution: BrokerExecution) => executions.set(execution.execId, execution);
  const onCommission = (commission: BrokerCommission) => commissions.set(commission.execId, commission.commission);
  client.on("execution", onExecution);
  client.on("commission", onCommission);
  let onEnd: ((endedId: number) => void) | undefined;
  try {
    const listed = new Promise<void>((resolve) => {
      const reqId = client.requestExecutions(since);
      onEnd = (endedId: number) => {
        if (endedId === reqId) resolve();
      };
      client.on("executionsEnd", onEnd);
    });
    await withTimeout(listed, timeoutMs, `IBKR did not list the day's executions within ${timeoutMs} ms`);
    // Commission reports follow their executions; give the last ones a moment to arrive.
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { executions: [...executions.values()], commissions };
  } finally {
    if (onEnd) client.off("executionsEnd", onEnd);
    client.off("execution", onExecution);
    client.off("commission", onCommission);
  }
}
