import type { GatewayClient } from "./gateway-client";
import type { BrokerExecution, BrokerOrder } from "./mapping";

/** What the last reconcile found; shown on the health endpoint. */
export interface ReconcileResult {
  at: string;
  durationMs: number;
  ok: boolean;
  openOrders: number;
  executions: number;
  positions: number;
  /** Things the broker and our records disagreed on, in words; empty when all matched. */
  discrepancies: string[];
}

export interface ReconcileSnapshot {
  openOrders: BrokerOrder[];
  executions: BrokerExecution[];
  positions: number;
}

const FILTER_OVERLAP_MS = 24 * 3_600_000;

/** TWS `yyyyMMdd-HH:mm:ss` (UTC) for the execution filter's time field. */
export function executionFilterTime(since: Date): string {
  const iso = since.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 19)}`;
}

/**
 * Asks the broker for everything that may have changed while we were away: all open orders,
 * executions since `since`, positions and the account. Resolves when each answer has ended,
 * or rejects after `timeoutMs`. Gateways disagree on the zone of the execution filter's time
 * (UTC or their own), so it asks from a day earlier; the journal drops the duplicates.
 */
export async function fetchBrokerState(client: GatewayClient, since: Date | null, timeoutMs: number): Promise<ReconcileSnapshot> {
  const openOrders: BrokerOrder[] = [];
  const executions: BrokerExecution[] = [];
  let positions = 0;
  const onOrder = (order: BrokerOrder) => openOrders.push(order);
  const onExecution = (execution: BrokerExecution) => executions.push(execution);
  const onPosition = () => positions++;
  client.on("openOrder", onOrder);
  client.on("execution", onExecution);
  client.on("position", onPosition);
  try {
    const ordersDone = nextEvent(client, "openOrderEnd");
    const positionsDone = nextEvent(client, "positionEnd");
    const accountDone = client.managedAccount ? nextEvent(client, "accountDownloadEnd") : Promise.resolve();
    client.requestOpenOrders();
    const executionsReq = client.requestExecutions(since ? new Date(since.getTime() - FILTER_OVERLAP_MS) : null);
    const executionsDone = nextEvent(client, "executionsEnd", (reqId) => reqId === executionsReq);
    client.requestPositions();
    if (client.managedAccount) client.requestAccountUpdates(client.managedAccount);
    await withTimeout(Promise.all([ordersDone, executionsDone, positionsDone, accountDone]), timeoutMs);
    return { openOrders, executions, positions };
  } finally {
    client.off("openOrder", onOrder);
    client.off("execution", onExecution);
    client.off("position", onPosition);
  }
}

function nextEvent<K extends "openOrderEnd" | "positionEnd" | "accountDownloadEnd" | "executionsEnd">(
  client: GatewayClient,
  event: K,
  accept: (reqId: number) => boolean = () => true,
): Promise<void> {
  return new Promise((resolve) => {
    const listener = (reqId?: unknown) => {
      if (typeof reqId === "number" && !accept(reqId)) return;
      client.off(event, listener as never);
      resolve();
    };
    client.on(event, listener as never);
  });
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the broker did not finish answering within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
