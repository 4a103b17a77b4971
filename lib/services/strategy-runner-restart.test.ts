import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { startGatewaySimulator, type GatewaySimulator } from "@/lib/sim";
import { alwaysApprove } from "@/lib/core/engine/risk-gates";
import type { DomainEvent } from "@/lib/core/ports";
import { Engine } from "@/lib/runtime/engine";
import { GatewayClient } from "@/lib/adapters/ibkr/gateway-client";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { instanceHoldings } from "@/lib/adapters/db/instance-holdings";
import { freshDatabase } from "@/test/db";
import { eventually } from "@/test/eventually";
import { isWorking } from "@/test/live/sim-orders";
import { createLiveStrategyRunner, type StrategyRunner } from "./strategy-runner";

const log = pino({ level: "silent" });
// A Wednesday, 12:00 in New York, moving with the wall clock: inside the regular session.
const SESSION_NOON = Date.UTC(2026, 10, 18, 17);
const startedAt = Date.now();
const clock = { now: () => SESSION_NOON + (Date.now() - startedAt) };

/** Prices the simulator trades at, moved every 100 ms by each symbol's step (per second: ten steps). */
function priceDriver(simulator: GatewaySimulator, start: Record<string, number>) {
  const prices = { ...start };
  const steps: Record<string, number> = Object.fromEntries(Object.keys(start).map((symbol) => [symbol, 0.05]));
  const timer = setInterval(() => {
    for (const symbol of Object.keys(prices)) {
      prices[symbol] = Math.round((prices[symbol] + steps[symbol]) * 100) / 100;
      simulator.setPrice(symbol, prices[symbol]);
    }
  }, 100);
  return {
    prices,
    steps,
    jump(symbol: string, price: number) {
      prices[symbol] = price;
      simulator.setPrice(symbol, price);
    },
    stop: () => clearInterval(timer),
  };
}

/** One process: the broker session with its journal (the runtime Engine) and the live strategy runner on it. */
async function startProcess(simulator: GatewaySimulator, prisma: PrismaClient, events: DomainEvent[]): Promise<{ engine: Engine; runner: StrategyRunner }> {
  const engine = new Engine({
    ib: { host: simulator.host, port: simulator.port, clientId: 11 },
    prisma,
    log,
    audit: async () => undefined,
    watchlist: [],
    tradingTimeZone: "America/New_York",
    mode: "paper",
    reconnectDelaysMs: { initial: 100, max: 1_000 },
  });
  const fundsKnown = new Promise<void>((resolve) => {
    const stop = engine.onReconciled((result) => {
      if (!result.ok) return;
      stop();
      resolve();
    });
  });
  const runner = createLiveStrategyRunner({
    mode: "ibkr",
    gateway: engine.client,
    prisma,
    risk: alwaysApprove,
    availableFunds: () => 100_000,
    fundsKnown,
    events: { emit: (event) => events.push(event) },
    log,
    clock,
  });
  await runner.start();
  engine.start();
  return { engine, runner };
}

const positionOf = (runner: StrategyRunner, symbol: string) => runner.holdings().find((holding) => holding.symbol === symbol)?.position;

describe("a strategy instance restarted after a kill takes over its position and working orders", () => {
  let simulator: GatewaySimulator;
  let database: ScratchDatabase;
  let prisma: PrismaClient;
  const processes: { engine: Engine; runner: StrategyRunner }[] = [];

  beforeAll(async () => {
    simulator = await startGatewaySimulator({ seed: 31, tickIntervalMs: 50, startingState: "empty" });
    database = await freshDatabase({ migrated: true });
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  });

  afterAll(async () => {
    for (const { engine, runner } of processes) {
      runner.stop();
      await engine.stop();
    }
    await simulator?.stop();
    await prisma?.$disconnect();
    await database?.drop();
  });

  it("same position, no second entry while the signal still says long, the adopted stop's cancel or fill reaches the engine once, and a stop hit while down counts", async () => {
    // MA cross 2/4 on 1 s bars, long only; the lock-in rule puts a stop 3 points under the entry once it fills.
    const parameters = { fast: 2, slow: 4, longOnly: true, exits: { lockIn: { stop: { points: 3 }, trigger: { points: 1_000 } } } };
    const symbols = { AAPL: "adopt-aapl", MSFT: "adopt-msft", NVDA: "adopt-nvda" } as const;
    await prisma.strategyInstance.createMany({
      data: Object.entries(symbols).map(([symbol, id]) => ({ id, strategy: "ma-cross", label: `restart ${symbol}`, symbols: [symbol], parameters, state: "running", barSeconds: 1, riskPercent: 3, maxCyclesPerDay: 50 })),
    });
    const driver = priceDriver(simulator, { AAPL: 100, MSFT: 200, NVDA: 50 });
    try {
      const firstEvents: DomainEvent[] = [];
      const first = await startProcess(simulator, prisma, firstEvents);
      processes.push(first);
      const stopOf = (id: string) => simulator.ledger().orders.find((order) => order.orderRef.startsWith(`k1:${id}.`) && order.orderType === "STP" && isWorking(order));
      await eventually(() => Object.values(symbols).every((id) => stopOf(id) !== undefined), (ready) => ready, 40_000).catch((error: unknown) => {
        const orders = simulator.ledger().orders.map((order) => `${order.orderId} ${order.orderRef} ${order.action} ${order.orderType} ${order.totalQuantity} ${order.status}`);
        const notes = firstEvents.filter((event) => event.type === "denial" || event.type === "error").map((event) => JSON.stringify(event));
        throw new Error(`${(error as Error).message}\norders:\n${orders.join("\n")}\nevents:\n${notes.join("\n")}\nholdings: ${JSON.stringify(first.runner.holdings())}`);
      });
      const held = Object.fromEntries(Object.keys(symbols).map((symbol) => [symbol, positionOf(first.runner, symbol)!])) as Record<keyof typeof symbols, number>;
      for (const quantity of Object.values(held)) expect(quantity).toBeGreaterThan(0);
      const stops = Object.fromEntries(Object.entries(symbols).map(([symbol, id]) => [symbol, stopOf(id)!])) as Record<keyof typeof symbols, NonNullable<ReturnType<typeof stopOf>>>;
      await eventually(
        () => prisma.order.findMany({ where: { orderId: { in: Object.values(stops).map((stop) => stop.orderId) }, status: { in: ["PreSubmitted", "Submitted"] } } }),
        (rows) => rows.length === 3,
      );

      // Killed: the engines stop where they are (nothing cancelled), the session drops.
      first.runner.stop();
      await first.engine.stop();
      processes.splice(processes.indexOf(first), 1);
      const ordersBefore = new Set(simulator.ledger().orders.map((order) => order.orderId));
      // While down, NVDA falls through its stop: that fill must count after the restart.
      driver.steps.NVDA = -0.05;
      driver.jump("NVDA", stops.NVDA.auxPrice! - 1);
      await eventually(() => simulator.ledger().orders.find((order) => order.orderId === stops.NVDA.orderId)?.status, (status) => status === "Filled");
      // And someone buys 10 AAPL by hand: the account then holds more than the instance's own share.
      const manual = new GatewayClient({ host: simulator.host, port: simulator.port, clientId: 12, log });
      manual.start();
      await eventually(() => manual.ready, (ready) => ready);
      const manualOrder = await manual.placeMarketOrder({ symbol: "AAPL", side: "BUY", quantity: 10, orderRef: "manual" });
      await eventually(() => simulator.ledger().orders.find((order) => order.orderId === manualOrder && order.clientId === 12)?.status, (status) => status === "Filled");
      await manual.stop();

      const events: DomainEvent[] = [];
      const second = await startProcess(simulator, prisma, events);
      processes.push(second);
      await eventually(() => second.runner.holdings().length, (count) => count === 3, 20_000);
      expect(positionOf(second.runner, "AAPL")).toBe(held.AAPL);
      expect(positionOf(second.runner, "MSFT")).toBe(held.MSFT);
      expect(positionOf(second.runner, "NVDA")).toBe(0);
      expect(await instanceHoldings(prisma, "adopt-nvda", "NVDA")).toMatchObject({ quantity: 0, workingOrders: [] });
      expect((await instanceHoldings(prisma, "adopt-aapl", "AAPL")).workingOrders.map((order) => order.request.id)).toEqual([stops.AAPL.orderId]);

      // Bars keep saying long: no second entry.
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      const newOrders = () => simulator.ledger().orders.filter((order) => !ordersBefore.has(order.orderId) && order.orderRef.startsWith("k1:adopt-"));
      expect(newOrders().filter((order) => order.symbol !== "NVDA")).toEqual([]);
      expect(events.filter((event) => event.type === "decision" && event.intent.purpose === "entry" && event.symbol !== "NVDA")).toEqual([]);

      // MSFT falls through the adopted stop: its fill reaches the engine once and closes the position.
      driver.steps.MSFT = 0;
      driver.jump("MSFT", stops.MSFT.auxPrice! - 1);
      await eventually(() => positionOf(second.runner, "MSFT"), (position) => position === 0, 15_000);
      const msftFills = events.filter((event): event is Extract<DomainEvent, { type: "fill" }> => event.type === "fill" && event.fill.symbol === "MSFT");
      expect(msftFills.map((event) => ({ orderId: event.fill.orderId, quantity: event.fill.quantity }))).toEqual([{ orderId: stops.MSFT.orderId, quantity: held.MSFT }]);

      // AAPL's signal flips: the exit sells what it held and cancels the adopted stop, whose cancel reaches the engine once.
      driver.steps.AAPL = -0.05;
      await eventually(() => positionOf(second.runner, "AAPL"), (position) => position === 0, 20_000);
      await eventually(() => simulator.ledger().orders.find((order) => order.orderId === stops.AAPL.orderId)?.status, (status) => status === "Cancelled");
      const exits = newOrders().filter((order) => order.symbol === "AAPL");
      expect(exits).toEqual([expect.objectContaining({ action: "SELL", orderType: "MKT", totalQuantity: held.AAPL, status: "Filled" })]);
      await eventually(
        () => events.filter((event) => event.type === "order-status" && event.update.orderId === stops.AAPL.orderId).map((event) => (event.type === "order-status" ? event.update.status : "")),
        (statuses) => statuses.includes("Cancelled"),
      );
      const stopStatuses = events.filter((event) => event.type === "order-status" && event.update.orderId === stops.AAPL.orderId);
      expect(stopStatuses.filter((event) => event.type === "order-status" && event.update.status === "Cancelled")).toHaveLength(1);
      const account = (symbol: string) => simulator.ledger().positions.find((position) => position.symbol === symbol)?.qty ?? 0;
      expect(account("MSFT")).toBe(0);
      // The instance sold its own share only: the manual 10 stay.
      expect(account("AAPL")).toBe(10);
      const execIds = events.flatMap((event) => (event.type === "fill" ? [event.fill.execId] : []));
      expect(new Set(execIds).size).toBe(execIds.length);
    } finally {
      driver.stop();
    }
  }, 150_000);
});
