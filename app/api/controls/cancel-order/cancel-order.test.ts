/** The cancel-order route as Next calls it: signed in for real, real Postgres, the real client against the simulator. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, call, startAuthHarness, type AuthHarness } from "@/lib/auth/test-harness";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { recordAudit } from "@/lib/services/audit";
import { ENGINE_CLIENT_ID, startRig, type Rig } from "@/lib/services/risk-test-support";
import { KestrelTradingControls } from "@/lib/services/trading-controls";
import { TradingState } from "@/lib/services/trading-state";
import { freshDatabase } from "@/test/db";
import { eventually } from "@/test/eventually";
import * as cancelOrder from "./route";

const PASSWORD = "owner password for the cancel-order route";
let h: AuthHarness;
let engineDatabase: ScratchDatabase;
let rig: Rig;
let session: string;

beforeAll(async () => {
  h = await startAuthHarness();
  engineDatabase = await freshDatabase({ migrated: true });
  session = await h.signInOwner(PASSWORD);
  rig = await startRig({ databaseUrl: engineDatabase.url, audit: (event) => recordAudit(h.prisma, event).then(() => undefined) });
  rig.engine.start();
  await eventually(() => rig.engine.health().state === "connected" && rig.engine.client.ready, Boolean);
  const controls = new KestrelTradingControls({
    state: new TradingState({ prisma: h.prisma, account: "paper", now: Date.now }),
    flatten: rig.engine.flattenService,
    audit: (event) => recordAudit(h.prisma, event).then(() => undefined),
  });
  h.publishServices({ controls, engine: rig.engine });
}, 60_000);

afterAll(async () => {
  await rig?.stop();
  await engineDatabase?.drop();
  await h?.stop();
});

const post = (body: unknown, withSession = true) => call(cancelOrder.POST, apiRequest("POST", "/api/controls/cancel-order", { body, ...(withSession ? { session } : {}) }));

describe("POST /api/controls/cancel-order", () => {
  it("needs a session and a whole positive orderId, naming what was wrong", async () => {
    expect((await post({ orderId: 1 }, false)).status).toBe(401);
    const bad = await post({ orderId: "7" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain("orderId must be a number");
    expect((await post({ orderId: 1.5 })).status).toBe(400);
  });

  it("cancels the working order at the broker and writes the audit row with who and where", async () => {
    const orderId = await rig.engine.client.placeLimitOrder({ symbol: "AAPL", side: "BUY", quantity: 2, limitPrice: 90, outsideRth: false, orderRef: "test:route" });
    await eventually(() => rig.engine.view.workingOrders().some((order) => order.orderId === orderId), Boolean);
    const response = await post({ orderId });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ cancelled: true, message: `BUY 2 AAPL (order ${orderId}) cancelled.` });
    expect(rig.sim.ledger().orders.find((order) => order.orderId === orderId && order.clientId === ENGINE_CLIENT_ID)?.status).toBe("Cancelled");
    const row = await eventually(() => h.prisma.auditLog.findFirst({ where: { action: "cancel_order" } }), Boolean);
    expect(row).toMatchObject({ actor: "owner", source: "web", ip: "127.0.0.1", result: "ok" });
  });

  it("answers 409 with a readable reason for an order that is no longer working", async () => {
    const response = await post({ orderId: 987654 });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe("Order 987654 is not working (filled, cancelled or unknown).");
  });
});
