/** One working order cancelled from the controls, against the simulator with the real client. */
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { freshDatabase } from "@/test/db";
import { eventually } from "@/test/eventually";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { KestrelTradingControls } from "./trading-controls";
import { TradingState } from "./trading-state";
import { ENGINE_CLIENT_ID, seedBook, startRig, type Rig } from "./risk-test-support";

const OWNER = { user: "owner", source: "web" as const, ip: "127.0.0.1" };

let database: ScratchDatabase;
let prisma: PrismaClient;
let rig: Rig | null = null;

beforeAll(async () => {
  database = await freshDatabase({ migrated: true });
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
});

afterEach(async () => {
  await rig?.stop();
  rig = null;
});

afterAll(async () => {
  await prisma?.$disconnect();
  await database?.drop();
});

/** `before` runs against the simulator before the engine connects, so reconciliation lists what it left. */
async function connectedRig(before?: (current: Rig) => Promise<void>): Promise<{ current: Rig; controls: KestrelTradingControls }> {
  const current = await startRig({ databaseUrl: database.url });
  rig = current;
  await before?.(current);
  current.engine.start();
  await eventually(() => current.engine.health().state === "connected" && current.engine.client.ready, Boolean);
  const controls = new KestrelTradingControls({
    state: new TradingState({ prisma, account: "paper", now: Date.now }),
    flatten: current.engine.flattenService,
    audit: async (event) => void current.audits.push(event),
  });
  return { current, controls };
}

const simOrder = (current: Rig, orderId: number, clientId = ENGINE_CLIENT_ID) =>
  current.sim.ledger().orders.find((order) => order.orderId === orderId && order.clientId === clientId);

describe("cancel one order", () => {
  it("cancels our resting limit order at the broker, leaves the other one working, and audits it", async () => {
    const { current, controls } = await connectedRig();
    const client = current.engine.client;
    const [target, kept] = await Promise.all([
      client.placeLimitOrder({ symbol: "AAPL", side: "BUY", quantity: 5, limitPrice: 95, outsideRth: false, orderRef: "test:target" }),
      client.placeLimitOrder({ symbol: "MSFT", side: "BUY", quantity: 3, limitPrice: 205, outsideRth: false, orderRef: "test:kept" }),
    ]);
    await eventually(() => current.engine.view.workingOrders().length, (count) => count === 2);
    const result = await controls.cancelOrder(OWNER, target);
    expect(result).toEqual({ cancelled: true, message: `BUY 5 AAPL (order ${target}) cancelled.` });
    expect(simOrder(current, target)?.status).toBe("Cancelled");
    expect(simOrder(current, kept)?.status).toBe("Submitted");
    await eventually(() => current.audits, (audits) => audits.some((event) => event.action === "cancel_order"));
    expect(current.audits.find((event) => event.action === "cancel_order")).toMatchObject({ actor: "owner", source: "web", ip: "127.0.0.1", result: "ok", details: { orderId: target } });
  });

  it("refuses another client's order with the reason, and the order stays working at the broker", async () => {
    const { current, controls } = await connectedRig((fresh) => seedBook(fresh.sim, { positions: { JPM: 10 }, extraOrders: 1 }));
    await eventually(() => current.engine.view.workingOrders().length, (count) => count === 1);
    const foreign = current.engine.view.workingOrders()[0];
    const result = await controls.cancelOrder(OWNER, foreign.orderId);
    expect(result.cancelled).toBe(false);
    expect(result.message).toContain("10147");
    expect(result.message).toContain("cannot be cancelled one by one; use Cancel all orders");
    expect(current.sim.ledger().orders.find((order) => order.orderId === foreign.orderId && order.status === "Submitted")).toBeDefined();
  });

  it("answers plainly for an order that is not working", async () => {
    const { controls } = await connectedRig();
    expect(await controls.cancelOrder(OWNER, 424242)).toEqual({ cancelled: false, message: "Order 424242 is not working (filled, cancelled or unknown)." });
  });
});
