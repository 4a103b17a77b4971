import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino from "pino";
import { expect, test } from "@playwright/test";
import { startGatewaySimulator, type GatewaySimulator, type LedgerOrder } from "@/lib/sim";
import { createScratchDatabase, type ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { applyMigrations } from "@/lib/adapters/db/migrate";
import { withDatabaseName } from "@/lib/adapters/db/connection-url";
import { DEFAULT_MIGRATIONS_DIR } from "@/lib/adapters/db/migration-files";
import { createDatabase, type Database } from "@/lib/adapters/db/client";
import { instanceConfigSchema } from "@/lib/services/strategy-runner";
import { freePort } from "../test/net";
import { killHard, waitForLine, type JsonLinesProcess } from "../test/live/json-lines";
import { isWorking } from "../test/live/sim-orders";
import { E2E_ADMIN } from "./support/credentials";
import { readE2eRuntime } from "./support/runtime";
import { CLOCK_OFFSET_ENV, sessionClockOffset } from "./support/session-clock";
import { instanceOrders, loggedAt, readHealth, spawnServer, steppableClock } from "./support/kill-rig";

/**
 * Issue #6's kill test on the real composition root: the production server trades by itself
 * through its strategy runner (a 2/3 moving-average cross on 1 s bars over five symbols), is
 * SIGKILLed with orders working, and is started again on the same database and gateway.
 */
const INSTANCE = instanceConfigSchema.parse({
  id: "kill-ma-cross",
  strategy: "ma-cross",
  label: "Kill test: 2/3 MA cross on 1 s bars",
  symbols: ["SPY", "AAPL", "MSFT", "NVDA", "TSLA"],
  parameters: { fast: 2, slow: 3, mode: "state", longOnly: false },
  state: "running",
  barSeconds: 1,
  maxCyclesPerDay: 100,
});
const MINUTE = 60_000;
/** Fill delays (simulated time): orders sent before the kill fill during the outage (A) or after the restart (B). */
const HOLD_A = 10 * MINUTE;
const HOLD_B = 60 * MINUTE;
const log = pino({ level: "warn" });

let simulator: GatewaySimulator | undefined;
let database: ScratchDatabase | undefined;
let db: Database | undefined;
let dataDir: string | undefined;
const servers: JsonLinesProcess[] = [];

test.afterEach(async ({}, testInfo) => {
  for (const [index, server] of servers.entries()) {
    await killHard(server);
    const file = testInfo.outputPath(`server-${index + 1}.log`);
    writeFileSync(file, server.lines.map((line) => JSON.stringify(line)).join("\n"));
    if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach(`server-${index + 1}.log`, { path: file, contentType: "text/plain" });
  }
  servers.length = 0;
  await simulator?.stop();
  await db?.stop();
  await database?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test("SIGKILL mid-session: the restarted server reconciles within 5 s, adopts the working orders and sends no decision twice", async () => {
  test.setTimeout(300_000);
  const offsetMs = sessionClockOffset(Date.now());
  const clock = steppableClock(offsetMs);
  simulator = await startGatewaySimulator({ seed: 23, startingState: "empty", tickIntervalMs: 100, clock });
  // The server the end-to-end database lives on (its maintenance database, which outlives any run's own).
  const serverUrl = process.env.DATABASE_URL ?? withDatabaseName(readE2eRuntime().databaseUrl, "postgres");
  database = await createScratchDatabase(serverUrl, "kestrel_test", { unique: true });
  await applyMigrations({ databaseUrl: database.url, migrationsDir: DEFAULT_MIGRATIONS_DIR, log });
  db = await createDatabase({ databaseUrl: database.url, log });
  await db.prisma.strategyInstance.create({ data: { ...INSTANCE, parameters: INSTANCE.parameters as object } });
  dataDir = mkdtempSync(path.join(tmpdir(), "kestrel-kill-"));
  const port = await freePort();
  const env = {
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: database.url,
    IB_HOST: simulator.host,
    IB_PORT: String(simulator.port),
    KESTREL_DATA_DIR: dataDir,
    KESTREL_WATCHLIST: INSTANCE.symbols.join(","),
    KESTREL_ADMIN_USER: E2E_ADMIN.username,
    KESTREL_ADMIN_PASSWORD: E2E_ADMIN.password,
    LOG_LEVEL: "info",
    [CLOCK_OFFSET_ENV]: String(offsetMs),
  };
  const ours = () => instanceOrders(simulator!.ledger(), INSTANCE.id);
  const idsOf = (orders: LedgerOrder[]) => new Set(orders.map((order) => order.orderId));

  // Trading with fills at once: decisions come from the runner's own bars.
  const first = spawnServer(env);
  servers.push(first);
  await expect.poll(() => ours().filter((order) => order.status === "Filled").length, { timeout: 120_000, intervals: [250] }).toBeGreaterThanOrEqual(3);

  // New orders stay working: two sets that fill at different times, so some fill while the server is down.
  simulator.faults.delayFills(HOLD_A);
  const beforeA = idsOf(ours());
  await expect.poll(() => ours().filter((order) => !beforeA.has(order.orderId) && isWorking(order)).length, { timeout: 60_000, intervals: [100] }).toBeGreaterThanOrEqual(1);
  simulator.faults.delayFills(HOLD_B);
  const beforeB = idsOf(ours());
  await expect.poll(() => ours().filter((order) => !beforeB.has(order.orderId) && isWorking(order)).length, { timeout: 60_000, intervals: [100] }).toBeGreaterThanOrEqual(2);

  await killHard(first);
  const atKill = ours();
  const heldA = atKill.filter((order) => isWorking(order) && !beforeA.has(order.orderId) && beforeB.has(order.orderId));
  const heldB = atKill.filter((order) => isWorking(order) && !beforeB.has(order.orderId));
  expect(heldA.length).toBeGreaterThanOrEqual(1);
  expect(heldB.length).toBeGreaterThanOrEqual(2);

  // While it is down, the first set fills.
  clock.advance(2 * HOLD_A);
  await expect.poll(() => ours().filter((order) => heldA.some((held) => held.orderId === order.orderId) && order.status !== "Filled").length, { timeout: 10_000 }).toBe(0);
  const workingAtRestart = ours().filter(isWorking);
  const executionsAtRestart = simulator.ledger().executions.length;

  const spawnedAt = Date.now();
  const second = spawnServer(env);
  servers.push(second);
  const sessionOpen = await waitForLine(second.lines, (line) => line.msg === "broker session open", 120_000);
  const reconciled = await waitForLine(second.lines, (line) => line.msg === "reconciled with the broker", 30_000);
  const health = await readHealthUntilReconciled(port);
  const result = health.broker.lastReconcile!;
  const fromConnectMs = loggedAt(reconciled) - loggedAt(sessionOpen);
  const fromSpawnMs = reconciled.receivedAt - spawnedAt;
  const measured = `reconcile after the restart: ${result.durationMs} ms by /api/health, ${fromConnectMs} ms from "broker session open" to "reconciled" in the log, ${fromSpawnMs} ms from spawn; ${result.openOrders} open orders, ${result.executions} executions`;
  test.info().annotations.push({ type: "reconcile", description: measured });
  console.log(measured);
  expect(reconciled.ok).toBe(true);
  expect(result.ok).toBe(true);
  expect(result.durationMs).toBeLessThan(5_000);
  expect(fromConnectMs).toBeLessThan(5_000);
  // Adopted: every order left working is among the open orders the reconcile read, and none went out again.
  expect(result.openOrders).toBeGreaterThanOrEqual(workingAtRestart.length);
  expect(result.executions).toBeGreaterThanOrEqual(executionsAtRestart);
  // The fills that happened while it was down are recorded by that reconcile.
  const heldAIds = heldA.map((order) => order.orderId);
  await expect.poll(() => db!.prisma.execution.count({ where: { orderId: { in: heldAIds } } }), { timeout: 5_000 }).toBeGreaterThanOrEqual(heldA.length);

  // The restarted runner makes decisions of its own (held too), then everything held fills.
  const beforeRestart = idsOf(ours());
  await expect.poll(() => ours().filter((order) => !beforeRestart.has(order.orderId)).length, { timeout: 60_000, intervals: [250] }).toBeGreaterThanOrEqual(2);
  const beforeRelease = idsOf(ours());
  clock.advance(2 * HOLD_B);
  await expect.poll(() => ours().filter((order) => beforeRelease.has(order.orderId) && isWorking(order)).length, { timeout: 10_000 }).toBe(0);

  // Executions: each one in the database once, none missing.
  const ledgerExecIds = () => simulator!.ledger().executions.map((execution) => execution.execId).sort();
  const storedExecIds = async () => (await db!.prisma.execution.findMany({ select: { execId: true } })).map((row) => row.execId).sort();
  await expect.poll(async () => JSON.stringify(await storedExecIds()) === JSON.stringify(ledgerExecIds()), { timeout: 20_000 }).toBe(true);

  // Adopted: the orders the first process left working are followed to their fill by the second.
  await expect.poll(() => ordersUnlikeTheBroker(db!, heldB.map((held) => ours().find((order) => order.orderId === held.orderId)!)), { timeout: 10_000 }).toEqual([]);

  // No decision's order twice: one parent order per orderRef, no order id used twice, each sent decision is one broker order.
  const orders = ours();
  const parents = orders.filter((order) => order.parentId === 0);
  expect(new Set(parents.map((order) => order.orderRef)).size).toBe(parents.length);
  const allIds = simulator.ledger().orders.map((order) => `${order.clientId}:${order.orderId}`);
  expect(new Set(allIds).size).toBe(allIds.length);
  await expect.poll(() => unmatchedDecisions(db!, ours()), { timeout: 10_000 }).toEqual([]);
});

async function readHealthUntilReconciled(port: number) {
  let health: Awaited<ReturnType<typeof readHealth>> = null;
  await expect
    .poll(
      async () => {
        health = await readHealth(port);
        return health?.broker.lastReconcile !== null && health?.broker.lastReconcile !== undefined;
      },
      { timeout: 60_000, intervals: [100] },
    )
    .toBe(true);
  return health!;
}

/** Broker orders without a sent decision of the same order id, and decisions still pending: both should be none. */
async function unmatchedDecisions(db: Database, orders: LedgerOrder[]): Promise<string[]> {
  const decisions = await db.prisma.orderDecision.findMany();
  const byRef = new Map(decisions.map((decision) => [decision.orderRef, decision]));
  const unmatched = orders
    .filter((order) => order.parentId === 0)
    .filter((order) => byRef.get(order.orderRef)?.status !== "sent" || byRef.get(order.orderRef)?.orderId !== order.orderId)
    .map((order) => `order ${order.orderId} ${order.orderRef}: decision ${JSON.stringify(byRef.get(order.orderRef) ?? null)}`);
  return [...unmatched, ...decisions.filter((decision) => decision.status === "pending").map((decision) => `decision ${decision.id} still pending`)];
}

/** The broker's orders whose database row disagrees with it on status or filled quantity. */
async function ordersUnlikeTheBroker(db: Database, orders: LedgerOrder[]): Promise<string[]> {
  const rows = await db.prisma.order.findMany({ where: { orderId: { in: orders.map((order) => order.orderId) } } });
  return orders.flatMap((order) => {
    const row = rows.find((candidate) => candidate.orderId === order.orderId && candidate.clientId === order.clientId);
    const same = row !== undefined && row.status === order.status && Number(row.filled) === order.filled;
    return same ? [] : [`order ${order.orderId}: broker ${order.status} ${order.filled} filled, database ${row ? `${row.status} ${row.filled.toString()} filled` : "no row"}`];
  });
}
