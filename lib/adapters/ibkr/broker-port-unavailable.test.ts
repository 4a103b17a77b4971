import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaPg } from "@prisma/adapter-pg";
import pino from "pino";
import { PrismaClient } from "@/lib/generated/prisma/client";
import type { BrokerEvent, OrderStatusUpdate } from "@/lib/core/ports";
import type { OrderRequest } from "@/lib/core/model/order";
import { startGatewaySimulator, type GatewaySimulator } from "@/lib/sim";
import { OrderDecisions } from "@/lib/adapters/db/order-decisions";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { freshDatabase } from "@/test/db";
import { eventually } from "@/test/eventually";
import { GatewayClient } from "./gateway-client";
import { IbkrBroker } from "./broker-port";

const log = pino({ level: "silent" });

/**
 * Orders going out through the decision store: one decided while the gateway is gone ends
 * refused, recorded as not sent, and nothing throws; a modify or cancel made before its order
 * went out follows the order instead of overtaking it.
 */
describe("orders sent through the decision store", () => {
  let simulator: GatewaySimulator;
  let database: ScratchDatabase;
  let prisma: PrismaClient;
  let gateway: GatewayClient;
  let broker: IbkrBroker;
  const events: BrokerEvent[] = [];
  const refs = new Map<number, string>();
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  const statuses = (orderId: number): OrderStatusUpdate[] =>
    events.flatMap((event) => (event.type === "status" && event.update.orderId === orderId ? [event.update] : []));

  /** What a strategy does when its bar closes: takes an id and submits, from a timer. */
  const decideFromTimer = (decisionId: string): Promise<number> =>
    new Promise((resolve) => {
      setTimeout(() => {
        const id = broker.nextOrderId();
        refs.set(id, `k1:${decisionId}`);
        const order: OrderRequest = { id, symbol: "SPY", side: "BUY", quantity: 10, type: "MKT", timeInForce: "DAY" };
        broker.submit(order);
        resolve(id);
      }, 0);
    });

  beforeAll(async () => {
    process.on("uncaughtException", onUncaught);
    process.on("unhandledRejection", onUncaught);
    simulator = await startGatewaySimulator({ seed: 6, startingState: "empty", tickIntervalMs: 50 });
    database = await freshDatabase({ migrated: true });
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
    gateway = new GatewayClient({ host: simulator.host, port: simulator.port, clientId: 11, log, reconnectDelaysMs: { initial: 100, max: 300 } });
    broker = new IbkrBroker({ gateway, log, orderRefOf: (request) => refs.get(request.id)!, decisions: new OrderDecisions(prisma) });
    broker.onEvent((event) => events.push(event));
    gateway.start();
    await eventually(() => gateway.ready, Boolean);
  });

  afterAll(async () => {
    process.off("uncaughtException", onUncaught);
    process.off("unhandledRejection", onUncaught);
    broker?.dispose();
    await gateway?.stop();
    await simulator?.stop();
    await prisma?.$disconnect();
    await database?.drop();
  });

  it("refuses it as Inactive with the reason, keeps the decision unsent, and sends the next decision after the reconnect", async () => {
    const restart = simulator.faults.nightlyRestart({ downMs: 1_500 });
    await eventually(() => gateway.connectionState, (state) => state !== "connected");

    const refusedId = await decideFromTimer("down-1");
    const [refused] = await eventually(() => statuses(refusedId), (updates) => updates.length > 0);
    expect(refused).toMatchObject({ status: "Inactive", filled: 0, remaining: 10 });
    expect(refused.reason).toMatch(/not connected/);
    await broker.settled();
    expect(await prisma.orderDecision.findUnique({ where: { id: "down-1" } })).toMatchObject({ status: "not-sent", orderId: null });
    expect(simulator.ledger().orders.some((order) => order.orderRef === "k1:down-1")).toBe(false);

    await restart;
    await eventually(() => gateway.ready, Boolean, 10_000);
    const sentId = await decideFromTimer("down-1");
    await eventually(() => statuses(sentId).map((update) => update.status), (seen) => seen.includes("Filled"));
    await broker.settled();
    expect(await prisma.orderDecision.findUnique({ where: { id: "down-1" } })).toMatchObject({ status: "sent", orderId: sentId });
    expect(simulator.ledger().orders.filter((order) => order.orderRef === "k1:down-1")).toHaveLength(1);
    expect(uncaught).toEqual([]);
  }, 30_000);

  it("a modify and a cancel made before the order itself went out reach TWS after it", async () => {
    await eventually(() => gateway.ready, Boolean, 10_000);
    const id = broker.nextOrderId();
    refs.set(id, "k1:modify-then-cancel");
    // Recording the decision takes a database round trip: both follow-ups come before the order leaves.
    broker.submit({ id, symbol: "SPY", side: "BUY", quantity: 10, type: "LMT", limitPrice: 1, timeInForce: "DAY" });
    broker.modify(id, { quantity: 12 });
    broker.cancel(id);
    const atBroker = () => simulator.ledger().orders.find((order) => order.orderRef === "k1:modify-then-cancel");
    await eventually(() => atBroker()?.status, (status) => status === "Cancelled");
    expect(atBroker()!.totalQuantity).toBe(12);
    // Had the modify overtaken it, TWS would have taken it for a new order of 12 and never seen the 10.
    await eventually(() => statuses(id).map((update) => `${update.status} ${update.remaining}`), (seen) => seen.includes("Cancelled 12"));
    expect(statuses(id).map((update) => `${update.status} ${update.remaining}`)).toEqual(["Submitted 10", "Submitted 12", "Cancelled 12"]);
    expect(uncaught).toEqual([]);
  });
});
