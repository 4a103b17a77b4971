import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGatewaySimulator, type GatewaySimulator } from "@/lib/sim";
import { freshDatabase } from "@/test/db";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { killHard, spawnJsonLines, waitForLine, type JsonLinesProcess } from "./json-lines";
import { isWorking } from "./sim-orders";

/** The engine in its own process (the simulator stays here, so it outlives the kill). */
const spawnEngine = (env: Record<string, string>) => spawnJsonLines(["test/live/engine-process.ts"], env);

describe("kill test: SIGKILL mid-session with orders working, then restart", () => {
  let simulator: GatewaySimulator;
  let database: ScratchDatabase;
  let dataDir: string;
  const children: JsonLinesProcess[] = [];

  beforeAll(async () => {
    simulator = await startGatewaySimulator({ seed: 4, startingState: "empty", tickIntervalMs: 50 });
    database = await freshDatabase({ migrated: true });
    dataDir = mkdtempSync(path.join(tmpdir(), "kestrel-kill-"));
  });

  afterAll(async () => {
    for (const child of children) await killHard(child);
    await simulator?.stop();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("reconciles within 5 s of the restart and sends no decision's order twice", async () => {
    const env = { DATABASE_URL: database.url, IB_HOST: simulator.host, IB_PORT: String(simulator.port), KESTREL_DATA_DIR: dataDir, DECISIONS: "12" };
    // Orders stay working (no fills for an hour of market time) while the process dies.
    simulator.faults.delayFills(3_600_000);
    const first = spawnEngine({ ...env, DECISION_INTERVAL_MS: "150" });
    children.push(first);
    await waitForLine(first.lines, (line) => line.event === "decision" && line.decisionId === "kill-5", 60_000);
    await killHard(first);
    const sentBefore = first.lines.filter((line) => line.event === "decision").length;
    const working = simulator.ledger().orders.filter(isWorking).length;
    expect(working).toBeGreaterThanOrEqual(6);

    const second = spawnEngine({ ...env, DECISION_INTERVAL_MS: "20" });
    children.push(second);
    const starting = await waitForLine(second.lines, (line) => line.event === "starting", 60_000);
    const reconciled = await waitForLine(second.lines, (line) => line.event === "reconciled", 10_000);
    expect(Number(reconciled.at) - Number(starting.at)).toBeLessThan(5_000);
    const health = reconciled.health as { lastReconcile: { ok: boolean; openOrders: number } };
    expect(health.lastReconcile).toMatchObject({ ok: true });
    expect(health.lastReconcile.openOrders).toBeGreaterThanOrEqual(working);
    await waitForLine(second.lines, (line) => line.event === "done", 30_000);

    const replayed = second.lines.filter((line) => line.event === "decision");
    expect(replayed.slice(0, sentBefore).every((line) => line.alreadySent === true)).toBe(true);
    const refs = simulator.ledger().orders.map((order) => order.orderRef).filter((ref) => ref.startsWith("k1:kill-"));
    expect(refs.length).toBe(12);
    expect(new Set(refs).size).toBe(12);
    const ids = simulator.ledger().orders.map((order) => order.orderId);
    expect(new Set(ids).size).toBe(ids.length);
    second.child.kill("SIGTERM");
  }, 150_000);
});
