import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { startGatewaySimulator, type GatewaySimulator } from "@/lib/sim";
import { alwaysApprove } from "@/lib/core/engine/risk-gates";
import type { DomainEvent } from "@/lib/core/ports";
import { alternatingModel } from "@/lib/core/rl/testing";
import { GatewayClient } from "@/lib/adapters/ibkr/gateway-client";
import { IbkrBroker } from "@/lib/adapters/ibkr/broker-port";
import { IbkrMarketData } from "@/lib/adapters/ibkr/market-data";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { StrategyRunner, scopedBroker } from "@/lib/services/strategy-runner";
import { freshDatabase } from "@/test/db";
import { eventually } from "@/test/eventually";

const log = pino({ level: "silent" });
// A Wednesday, 12:00 in New York, moving with the wall clock: inside the regular session.
const SESSION_NOON = Date.UTC(2026, 10, 18, 17);
const startedAt = Date.now();
const clock = { now: () => SESSION_NOON + (Date.now() - startedAt) };

describe("rl-policy in a live session on the simulated gateway", () => {
  let simulator: GatewaySimulator;
  let database: ScratchDatabase;
  let prisma: PrismaClient;
  let gateway: GatewayClient;
  let broker: IbkrBroker;
  let marketData: IbkrMarketData;
  let runner: StrategyRunner | undefined;
  const events: DomainEvent[] = [];
  const owners = new Map<number, string>();

  beforeAll(async () => {
    simulator = await startGatewaySimulator({ seed: 33, tickIntervalMs: 10, startingState: "empty" });
    database = await freshDatabase({ migrated: true });
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
    gateway = new GatewayClient({ host: simulator.host, port: simulator.port, clientId: 9, log });
    gateway.start();
    await eventually(() => gateway.ready, (ready) => ready);
    broker = new IbkrBroker({ gateway, log, orderRefOf: (request) => `${owners.get(request.id)}/${request.parentId ?? request.id}` });
    marketData = new IbkrMarketData(gateway, clock);
  }, 60_000);

  afterAll(async () => {
    runner?.stop();
    marketData?.dispose();
    broker?.dispose();
    await gateway?.stop();
    await simulator?.stop();
    await prisma?.$disconnect();
    await database?.drop();
  });

  it("decides on live bars through the engine and the real IB client; its orders fill at the simulated gateway", async () => {
    await prisma.strategyInstance.create({
      data: { id: "rl-aapl", strategy: "rl-policy", label: "rl policy", symbols: ["AAPL"], parameters: JSON.parse(JSON.stringify({ model: alternatingModel(1) })) as object, state: "running", barSeconds: 1, riskPercent: 10, maxCyclesPerDay: 50 },
    });
    await prisma.strategyInstance.updateMany({ where: { id: { not: "rl-aapl" } }, data: { state: "paused" } });
    runner = new StrategyRunner({
      prisma,
      marketData,
      brokerFor: (_instrument, instanceId) => scopedBroker(broker, (id) => owners.set(id, instanceId)),
      risk: alwaysApprove,
      events: { emit: (event) => events.push(event) },
      clock,
      availableFunds: () => 100_000,
      entitlementOf: () => "live",
      audit: async () => undefined,
      log,
    });
    await runner.start();
    const ledger = await eventually(() => simulator.ledger(), (current) => current.executions.filter((execution) => execution.symbol === "AAPL").length >= 2, 50_000);
    const mine = ledger.orders.filter((order) => order.orderRef.startsWith("rl-aapl/"));
    expect(mine.map((order) => order.action)).toEqual(expect.arrayContaining(["BUY", "SELL"]));
    expect(events.some((event) => event.type === "decision" && event.symbol === "AAPL")).toBe(true);
    await runner.setState({ user: "owner", source: "web" }, "rl-aapl", "paused");
    runner.stop();
  }, 90_000);
});
