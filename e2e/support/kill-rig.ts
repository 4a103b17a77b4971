/**
 * Pieces of the full-server kill test (e2e/kill.spec.ts): the production server as a child
 * process whose pino log is read line by line, a simulator clock the test can move forward to
 * release fills it held back, and the simulator's books filtered to one strategy instance.
 */
import type { LedgerOrder, SimClock, SimLedger } from "@/lib/sim";
import { spawnJsonLines, type JsonLinesProcess } from "../../test/live/json-lines";

/** `node --import tsx server.ts` on the moved clock of session-clock.ts (shifted-date.ts preloaded). */
export function spawnServer(env: Record<string, string>): JsonLinesProcess {
  return spawnJsonLines(["--import", "./e2e/support/shifted-date.ts", "server.ts"], env);
}

/** Real time plus `offsetMs`, plus whatever `advance` added: orders held by a fill delay become fillable. */
export function steppableClock(offsetMs: number): SimClock & { advance(ms: number): void } {
  let advanced = 0;
  return {
    speed: 1,
    now: () => Date.now() + offsetMs + advanced,
    advance: (ms) => {
      advanced += ms;
    },
  };
}

/** The orders an instance sent: their orderRef is `k1:<instance id>.<decision>` (children carry their parent's). */
export function instanceOrders(ledger: SimLedger, instanceId: string): LedgerOrder[] {
  return ledger.orders.filter((order) => order.orderRef.startsWith(`k1:${instanceId}.`));
}

export interface HealthBody {
  broker: {
    state: string;
    ready: boolean;
    lastReconcile: { at: string; durationMs: number; ok: boolean; openOrders: number; executions: number; discrepancies: string[] } | null;
  };
}

export async function readHealth(port: number): Promise<HealthBody | null> {
  const response = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null);
  return response ? ((await response.json().catch(() => null)) as HealthBody | null) : null;
}

/** A pino line's own time (the server's clock) in epoch ms. */
export function loggedAt(line: Record<string, unknown>): number {
  return Date.parse(String(line.time));
}
