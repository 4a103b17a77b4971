/**
 * Halt entries against a live strategy: the simulator, the real client, the real risk stack and
 * Postgres. While HALTED the strategy's entry is refused and recorded; after resume the next goes out.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { freshDatabase } from "@/test/db";
import { eventually } from "@/test/eventually";
import { recordAudit } from "./audit";
import { createRiskStack, type RiskStack } from "./risk-service";
import { startRig, type Rig } from "./risk-test-support";
import { createLiveStrategyRunner, type StrategyRunner } from "./strategy-runner";

const OWNER = { user: "owner", source: "web" as const, ip: "127.0.0.1" };
const INSTANCE = "halt-aapl";
// A Wednesday noon in New York moving with the wall clock, so the session and the trading window are open.
const SESSION_NOON = Date.UTC(2026, 10, 18, 17);
const startedAt = Date.now();
const clock = { now: () => SESSION_NOON + (Date.now() - startedAt) };
const quiet = { warn: () => undefined, error: () => undefined, info: () => undefined };

let database: ScratchDatabase;
let prisma: PrismaClient;
let rig: Rig;
let stack: RiskStack;
let runner: StrategyRunner;

beforeAll(async () => {
  database = await freshDatabase({ migrated: true });
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  rig = await startRig({ databaseUrl: database.url, sim: { tickIntervalMs: 10 } });
  const audit = (event: Parameters<typeof recordAudit>[1]) => recordAudit(prisma, event).then(() => undefined);
  stack = createRiskStack({ prisma, account: "halt-test", exchange: "XNYS", view: rig.engine.view, flatten: rig.engine.flattenService, now: clock.now, audit, log: quiet });
  await stack.start();
  rig.engine.start();
  await eventually(() => rig.engine.health().state === "connected" && rig.engine.client.ready, Boolean);
}, 60_000);

afterAll(async () => {
  runner?.stop();
  stack?.stop();
  await rig?.stop();
  await prisma?.$disconnect();
  await database?.drop();
});

const ourOrders = () => rig.sim.ledger().orders.filter((order) => order.orderRef.startsWith(`k1:${INSTANCE}.`));

describe("halt entries with a live strategy", () => {
  it("refuses the strategy's entry while HALTED (the denial persisted with its reason), and the next entry goes out after resume", async () => {
    await stack.controls.haltEntries(OWNER, "news pending");
    await prisma.strategyInstance.create({
      data: { id: INSTANCE, strategy: "ma-cross", label: "fast MA cross", symbols: ["AAPL"], parameters: { fast: 2, slow: 3, longOnly: false }, state: "running", barSeconds: 1, riskPercent: 1, maxCyclesPerDay: 50 },
    });
    runner = createLiveStrategyRunner({
      mode: "ibkr",
      gateway: rig.engine.client,
      prisma,
      risk: (instanceId) => stack.risk.gate(instanceId),
      availableFunds: () => 100_000,
      log: pino({ level: "silent" }),
      clock,
    });
    await runner.start();

    const denials = await eventually(() => stack.risk.recentDenials(20), (rows) => rows.some((row) => row.strategy === INSTANCE), 30_000);
    const denial = denials.find((row) => row.strategy === INSTANCE)!;
    expect(denial).toMatchObject({ symbol: "AAPL", rule: "trading-state" });
    expect(denial.reason).toContain("HALTED");
    const stored = await prisma.riskDenial.findFirst({ where: { strategy: INSTANCE } });
    expect(stored?.reason).toBe(denial.reason);
    // Let a few more bars decide while halted: still nothing of the strategy's reaches the broker.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(ourOrders()).toEqual([]);

    expect((await stack.controls.resume(OWNER)).mode).toBe("ACTIVE");
    const sent = await eventually(ourOrders, (orders) => orders.length > 0, 30_000);
    expect(sent[0]).toMatchObject({ symbol: "AAPL" });
  }, 90_000);
});
