import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGatewaySimulator, type GatewaySimulator } from "@/lib/sim";
import { freshDatabase } from "@/test/db";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";

interface Line {
  at: number;
  event: string;
  [key: string]: unknown;
}

/** The engine in its own process (the simulator stays here, so it outlives the kill). */
function spawnEngine(env: Record<string, string>): { child: ChildProcess; lines: Line[] } {
  const child = spawn(process.execPath, ["--import", "tsx", "test/live/engine-process.ts"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: Line[] = [];
  let buffer = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const part of parts) if (part.startsWith("{")) lines.push(JSON.parse(part) as Line);
  });
  return { child, lines };
}

async function waitFor(lines: Line[], accept: (line: Line) => boolean, timeoutMs: number): Promise<Line> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = lines.find(accept);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no matching line within ${timeoutMs} ms; saw ${JSON.stringify(lines.map((line) => line.event))}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("kill test: SIGKILL mid-session with orders working, then restart", () => {
  let simulator: GatewaySimulator;
  let database: ScratchDatabase;
  let dataDir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    simulator = await startGatewaySimulator({ seed: 4, startingState: "empty", tickIntervalMs: 50 });
    database = await freshDatabase({ migrated: true });
    dataDir = mkdtempSync(path.join(tmpdir(), "kestrel-kill-"));
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await simulator?.stop();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("reconciles within 5 s of the restart and sends no decision's order twice", async () => {
    const env = { DATABASE_URL: database.url, IB_HOST: simulator.host, IB_PORT: String(simulator.port), KESTREL_DATA_DIR: dataDir, DECISIONS: "12" };
    // Orders stay working (no fills for an hour of market time) while the process dies.
    simulator.faults.delayFills(3_600_000);
    const first = spawnEngine({ ...env, DECISION_INTERVAL_MS: "150" });
    children.push(first.child);
    await waitFor(first.lines, (line) => line.event === "decision" && line.decisionId === "kill-5", 60_000);
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));
    const sentBefore = first.lines.filter((line) => line.event === "decision").length;
    const working = simulator.ledger().orders.filter((order) => order.status === "Submitted").length;
    expect(working).toBeGreaterThanOrEqual(6);

    const second = spawnEngine({ ...env, DECISION_INTERVAL_MS: "20" });
    children.push(second.child);
    const starting = await waitFor(second.lines, (line) => line.event === "starting", 60_000);
    const reconciled = await waitFor(second.lines, (line) => line.event === "reconciled", 10_000);
    expect(reconciled.at - starting.at).toBeLessThan(5_000);
    const health = reconciled.health as { lastReconcile: { ok: boolean; openOrders: number } };
    expect(health.lastReconcile).toMatchObject({ ok: true });
    expect(health.lastReconcile.openOrders).toBeGreaterThanOrEqual(working);
    await waitFor(second.lines, (line) => line.event === "done", 30_000);

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
