import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { startGatewaySimulator, type GatewaySimulator } from "@/lib/sim";
import { alwaysApprove } from "@/lib/core/engine/risk-gates";
import type { DomainEvent } from "@/lib/core/ports";
import { Action } from "@/lib/core/rl/actions";
import { AGENT_FEATURES, MARKET_FEATURES, MARKET_FEATURE_COUNT, OBSERVATION_SIZE } from "@/lib/core/rl/features";
import { parseRlModel, RL_MODEL_FORMAT } from "@/lib/core/rl/model";
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

/**
 * A policy for 1-second bars with short indicator periods, whose weights make it buy when flat
 * and sell when long, so every decision after warm-up must travel the whole live path.
 */
function alternatingModel() {
  const weights = new Array<number>(OBSERVATION_SIZE * 3).fill(0);
  const positionRow = MARKET_FEATURE_COUNT * 3;
  [weights[positionRow + Action.hold], weights[positionRow + Action.buy], weights[positionRow + Action.sell]] = [0, -2, 2];
  return parseRlModel({
    format: RL_MODEL_FORMAT,
    formatVersion: 1,
    featureSpec: {
      names: [...MARKET_FEATURES, ...AGENT_FEATURES],
      periods: { smaFast: 2, smaSlow: 4, rsi: 3, macdFast: 2, macdSlow: 4, macdSignal: 2, bollinger: 3, bollingerK: 2, atr: 2, volume: 3, range: 3 },
      barSeconds: 1,
    },
    normalisation: { mean: new Array(MARKET_FEATURE_COUNT).fill(0), std: new Array(MARKET_FEATURE_COUNT).fill(1) },
    policy: { activation: "tanh", layers: [{ inputs: OBSERVATION_SIZE, outputs: 3, weights, bias: [0, 1, 0] }] },
  });
}

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
      data: { id: "rl-aapl", strategy: "rl-policy", label: "rl policy", symbols: ["AAPL"], parameters: JSON.parse(JSON.stringify({ model: alternatingModel() })) as object, state: "running", barSeconds: 1, riskPercent: 10, maxCyclesPerDay: 50 },
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
