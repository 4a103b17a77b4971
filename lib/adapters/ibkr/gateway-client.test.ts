import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { startGatewaySimulator, simulatorLedgerSourceFor, type GatewaySimulator } from "./test-support";
import { freshDatabase } from "@/test/db";
import { eventually } from "@/test/eventually";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { exchangeCalendar } from "@/lib/core/calendar";
import { GatewayClient, GatewayUnavailableError, type GatewayClientOptions } from "./gateway-client";
import { PostgresOrderIds } from "./order-ids";
import { gatewayExecutionsSource } from "./executions-source";
import type { ReconcileResult } from "./reconcile";

const log = pino({ level: "silent" });

describe("gateway session against the simulator (real @stoqey/ib, real Postgres)", () => {
  let database: ScratchDatabase;
  let prisma: PrismaClient;
  const simulators: GatewaySimulator[] = [];
  const clients: GatewayClient[] = [];

  const simulator = async (options: Parameters<typeof startGatewaySimulator>[0] = {}) => {
    const sim = await startGatewaySimulator({ seed: 5, tickIntervalMs: 40, ...options });
    simulators.push(sim);
    return sim;
  };
  const client = (sim: GatewaySimulator, options: Partial<GatewayClientOptions> = {}) => {
    const created = new GatewayClient({ host: sim.host, port: sim.port, clientId: 21, log, reconnectDelaysMs: { initial: 20, max: 200 }, ...options });
    clients.push(created);
    return created;
  };
  const reconciled = (target: GatewayClient) => new Promise<ReconcileResult>((resolve) => target.once("reconciled", resolve));

  beforeAll(async () => {
    database = await freshDatabase({ migrated: true });
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((created) => created.stop()));
    await Promise.all(simulators.splice(0).map((sim) => sim.stop()));
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  it("holds orders until the reconcile after connecting has read orders, executions, positions and the account", async () => {
    const sim = await simulator();
    const session = client(sim, { orderIds: new PostgresOrderIds(prisma) });
    const done = reconciled(session);
    session.start();
    await eventually(() => session.connectionState, (state) => state === "connected");
    expect(session.ready).toBe(false);
    expect(() => session.allocateOrderId()).toThrow(GatewayUnavailableError);
    const result = await done;
    expect(result).toMatchObject({ ok: true, positions: 3, discrepancies: [] });
    expect(result.openOrders).toBe(sim.ledger().orders.filter((order) => order.status === "Submitted").length);
    expect(session.ready).toBe(true);
    expect(session.allocateOrderId()).toBeGreaterThan(0);
  });

  it("falls back to the next client id when 326 keeps coming, and says which one it uses", async () => {
    const sim = await simulator();
    const holder = client(sim, { clientId: 30 });
    holder.start();
    await eventually(() => holder.connectionState, (state) => state === "connected");
    const second = client(sim, { clientId: 30 });
    second.start();
    await eventually(() => second.connectionState, (state) => state === "connected");
    expect(second.clientId).toBe(31);
    expect(holder.clientId).toBe(30);
  });

  it("never reuses an order id, even when a restarted gateway's nextValidId goes backwards", async () => {
    const first = await simulator({ startingState: "empty" });
    const before = client(first, { orderIds: new PostgresOrderIds(prisma, 10) });
    const ready = reconciled(before);
    before.start();
    await ready;
    const sentBefore: number[] = [];
    for (let i = 0; i < 12; i++) sentBefore.push(await before.placeMarketOrder({ symbol: "SPY", side: "BUY", quantity: 1, orderRef: `k1:ids-${i}` }));
    await before.stop();
    await first.stop();

    const restarted = await simulator({ startingState: "empty" });
    const after = client(restarted, { orderIds: new PostgresOrderIds(prisma, 10) });
    const readyAgain = reconciled(after);
    after.start();
    await readyAgain;
    const nextId = await after.placeMarketOrder({ symbol: "SPY", side: "BUY", quantity: 1, orderRef: "k1:ids-after" });
    expect(nextId).toBeGreaterThan(Math.max(...sentBefore));
    expect(new Set(sentBefore).size).toBe(sentBefore.length);
    const mark = await prisma.orderIdMark.findUniqueOrThrow({ where: { account_clientId: { account: restarted.account, clientId: 21 } } });
    expect(mark.reserved).toBeGreaterThanOrEqual(nextId);
  });

  it("tracks farms through 1100 -> 1101 and re-requests market data after 1101 (ticks resume)", async () => {
    const sim = await simulator();
    const session = client(sim);
    session.subscribeQuotes("SPY");
    session.start();
    await eventually(() => session.farms.snapshot().usfarm?.state, (state) => state === "ok");
    await eventually(() => session.entitlementOf("SPY"), (entitlement) => entitlement === "live");

    const restored = sim.faults.connectivityLoss({ durationMs: 300, dataLost: true });
    await eventually(() => session.farms.snapshot().usfarm?.state, (state) => state === "broken");
    await restored;
    await eventually(() => session.farms.snapshot().usfarm?.state, (state) => state === "ok");
    let quotesAfter = 0;
    session.on("quote", () => quotesAfter++);
    await eventually(() => quotesAfter, (count) => count > 3, 5_000);
    expect(session.connectionState).toBe("connected");
  });

  it("labels symbols delayed when the account has no live entitlement (10167)", async () => {
    const sim = await simulator({ marketDataEntitled: false });
    const session = client(sim);
    session.subscribeQuotes("AAPL");
    session.start();
    await eventually(() => session.entitlementOf("AAPL"), (entitlement) => entitlement === "delayed");
  });

  it("lists a day's executions with commissions from IBKR exactly as the simulator's ledger has them", async () => {
    const sim = await simulator({ startingState: "empty" });
    const session = client(sim);
    const ready = reconciled(session);
    session.start();
    await ready;
    for (const side of ["BUY", "SELL", "BUY"] as const) await session.placeMarketOrder({ symbol: "MSFT", side, quantity: 5 });
    await eventually(() => sim.ledger().commissions.length, (count) => count === 3);
    const calendar = exchangeCalendar("XNYS");
    const day = calendar.tradingDayOf(Date.parse(sim.ledger().executions[0]!.timestamp));
    const fromBroker = await gatewayExecutionsSource(session, calendar).executionsForDay(day);
    const fromLedger = await simulatorLedgerSourceFor(sim, calendar).executionsForDay(day);
    const byId = <T extends { execId: string }>(rows: T[]) => [...rows].sort((a, b) => a.execId.localeCompare(b.execId));
    expect(byId(fromBroker).map(({ execId, side, shares, price, commission }) => ({ execId, side, shares, price, commission }))).toEqual(
      byId(fromLedger).map(({ execId, side, shares, price, commission }) => ({ execId, side: side === "BOT" ? "BUY" : "SELL", shares, price, commission })),
    );
  });
});
