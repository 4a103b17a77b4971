import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaPg } from "@prisma/adapter-pg";
import pino from "pino";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { startGatewaySimulator, type GatewaySimulator } from "@/lib/sim";
import { GatewayClient } from "@/lib/adapters/ibkr/gateway-client";
import { CLOSED_AT_BROKER } from "@/lib/adapters/ibkr/reconcile";
import type { ReconcileResult } from "@/lib/adapters/ibkr/reconcile";
import { freshDatabase } from "@/test/db";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { eventually } from "@/test/eventually";
import { Engine } from "./engine";

const log = pino({ level: "silent" });
const CLIENT_ID = 7;

/**
 * Orders that end at the broker while the engine is down (filled, cancelled, rejected, or gone
 * without a trace) get their final state from the reconcile of the next engine.
 */
describe("restart reconcile: orders that ended while the engine was down", () => {
  let simulator: GatewaySimulator;
  let database: ScratchDatabase;
  let prisma: PrismaClient;
  const engines: Engine[] = [];

  const startEngine = async (): Promise<{ engine: Engine; firstReconcile: Promise<ReconcileResult> }> => {
    const engine = new Engine({
      ib: { host: simulator.host, port: simulator.port, clientId: CLIENT_ID },
      prisma,
      log,
      audit: async () => undefined,
      watchlist: [],
      tradingTimeZone: "America/New_York",
      reconnectDelaysMs: { initial: 100, max: 500 },
    });
    engines.push(engine);
    const firstReconcile = new Promise<ReconcileResult>((resolve) => {
      const off = engine.onReconciled((result) => {
        off();
        resolve(result);
      });
    });
    engine.start();
    return { engine, firstReconcile };
  };

  const orderByRef = (orderRef: string) => prisma.order.findFirstOrThrow({ where: { orderRef } });
  const statusOf = (orderRef: string) => prisma.order.findFirst({ where: { orderRef } }).then((order) => order?.status);
  const ledgerOrder = (orderRef: string) => simulator.ledger().orders.find((order) => order.orderRef === orderRef);

  beforeAll(async () => {
    simulator = await startGatewaySimulator({ seed: 5, startingState: "empty", tickIntervalMs: 50 });
    database = await freshDatabase({ migrated: true });
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  });

  afterAll(async () => {
    for (const engine of engines) await engine.stop();
    await simulator?.stop();
    await prisma?.$disconnect();
    await database?.drop();
  });

  it("marks them Filled, Cancelled, Inactive or ClosedAtBroker, once", async () => {
    const { engine: first, firstReconcile } = await startEngine();
    await firstReconcile;
    await eventually(() => first.health().ready, Boolean);
    simulator.faults.delayFills(1_500);
    // Each fault applies to the orders that reach the simulator after it: wait for each order there.
    await first.sendDecision({ decisionId: "rr-fill", symbol: "SPY", side: "BUY", quantity: 10 });
    await eventually(() => ledgerOrder("k1:rr-fill"), Boolean);
    simulator.faults.delayFills(3_600_000);
    await first.sendDecision({ decisionId: "rr-cancel", symbol: "SPY", side: "BUY", quantity: 5 });
    await eventually(() => ledgerOrder("k1:rr-cancel"), Boolean);
    simulator.faults.rejectNextOrder("Order rejected - reason:Simulated margin check");
    await first.sendDecision({ decisionId: "rr-reject", symbol: "SPY", side: "BUY", quantity: 7 });
    await eventually(() => ledgerOrder("k1:rr-reject")?.status, (status) => status === "Inactive");
    await eventually(() => statusOf("k1:rr-cancel"), (status) => status === "Submitted");
    await first.persisted();
    await first.stop();
    expect((await orderByRef("k1:rr-fill")).status).toBe("Submitted");

    // The rejected order as a process that recorded its acknowledgement and died before its
    // rejection leaves it (the simulator rejects on arrival, so no openOrder was ever sent), and
    // an order the broker has no trace of any more (it ended in an earlier broker session).
    const rejected = ledgerOrder("k1:rr-reject")!;
    const working = { account: simulator.account, clientId: CLIENT_ID, symbol: "SPY", side: "BUY", orderType: "MKT", status: "Submitted" };
    await prisma.order.create({ data: { ...working, orderId: rejected.orderId, permId: BigInt(rejected.permId), quantity: "7", remaining: "7", orderRef: "k1:rr-reject" } });
    await prisma.order.create({ data: { ...working, orderId: 999_999, permId: 999_999_999n, quantity: "3", remaining: "3", orderRef: "k1:rr-gone" } });

    // While the engine is down: the first order fills, another client cancels everything open.
    await eventually(() => ledgerOrder("k1:rr-fill")?.status, (status) => status === "Filled", 10_000);
    const other = new GatewayClient({ host: simulator.host, port: simulator.port, clientId: 8, log });
    other.start();
    await eventually(() => other.ready, Boolean);
    other.cancelAllOrders();
    await eventually(() => ledgerOrder("k1:rr-cancel")?.status, (status) => status === "Cancelled");
    await other.stop();

    const { engine: second, firstReconcile: restartReconcile } = await startEngine();
    const result = await restartReconcile;
    expect(result.ok).toBe(true);

    const filled = ledgerOrder("k1:rr-fill")!;
    expect(await orderByRef("k1:rr-fill")).toMatchObject({ status: "Filled" });
    expect(Number((await orderByRef("k1:rr-fill")).filled)).toBe(10);
    expect(Number((await orderByRef("k1:rr-fill")).remaining)).toBe(0);
    expect(Number((await orderByRef("k1:rr-fill")).avgFillPrice)).toBeCloseTo(filled.avgFillPrice, 6);
    expect(await orderByRef("k1:rr-cancel")).toMatchObject({ status: "Cancelled" });
    expect(Number((await orderByRef("k1:rr-cancel")).filled)).toBe(0);
    expect(await orderByRef("k1:rr-reject")).toMatchObject({ status: "Inactive" });
    expect(await orderByRef("k1:rr-gone")).toMatchObject({ status: CLOSED_AT_BROKER });
    expect(result.discrepancies).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/rr-fill.*filled while we were away/),
        expect.stringMatching(/rr-cancel.*Cancelled at the broker.*Cancelled by Trader/),
        expect.stringMatching(/rr-reject.*Inactive at the broker.*Simulated margin check/),
        expect.stringMatching(/rr-gone.*ClosedAtBroker/),
      ]),
    );

    // A second reconcile (after a dropped socket) finds nothing more to settle and writes nothing twice.
    const events = () => prisma.orderStatusEvent.count();
    const before = await events();
    const again = new Promise<ReconcileResult>((resolve) => {
      const off = second.onReconciled((next) => {
        off();
        resolve(next);
      });
    });
    simulator.faults.dropSocket(CLIENT_ID);
    const next = await again;
    expect(next.ok).toBe(true);
    expect(next.discrepancies.filter((entry) => entry.includes("rr-"))).toEqual([]);
    await second.persisted();
    expect(await events()).toBe(before);
  }, 60_000);
});
