import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { GatewaySimulator } from "@/lib/sim";
import { startEngineOnSimulator, type EngineOnSimulator } from "@/test/engine-on-simulator";
import { eventually } from "@/test/eventually";
import type { Engine } from "./engine";

describe("engine against the simulated gateway through @stoqey/ib", () => {
  let rig: EngineOnSimulator;
  let simulator: GatewaySimulator;
  let prisma: PrismaClient;
  let engine: Engine;

  beforeAll(async () => {
    rig = await startEngineOnSimulator({ seed: 3 });
    ({ simulator, prisma, engine } = rig);
    engine.start();
  });

  afterAll(async () => {
    await rig?.stop();
  });

  it("connects and shows the simulator's positions, orders, account and prices", async () => {
    const expected = simulator.ledger().positions.filter((position) => position.qty !== 0);
    expect(expected.length).toBeGreaterThan(0);
    const positions = await eventually(
      () => engine.view.openPositions(),
      (open) => open.length === expected.length,
    );
    for (const position of expected) {
      expect(positions).toContainEqual(expect.objectContaining({ symbol: position.symbol, quantity: position.qty }));
    }
    const working = simulator.ledger().orders.filter((order) => order.status === "Submitted" || order.status === "PreSubmitted");
    await eventually(() => engine.view.workingOrders().length, (count) => count === working.length);
    const snapshot = await eventually(
      () => engine.view.snapshot(),
      (current) => current.account.netLiquidation !== null && current.quotes.some((quote) => quote.symbol === "SPY" && quote.last !== null),
    );
    expect(snapshot.connection).toBe("connected");
    expect(engine.health()).toMatchObject({ state: "connected", account: simulator.account });
  });

  it("flattens: cancels every order, closes every position, and the simulator agrees", async () => {
    const ordersBefore = engine.view.workingOrders().length;
    const result = await engine.flattenAll({ actor: "test", source: "system" });
    expect(result.status).toBe("flat");
    expect(result.ordersCancelled).toBe(ordersBefore);

    const ledger = simulator.ledger();
    expect(ledger.positions.filter((position) => position.qty !== 0)).toEqual([]);
    expect(ledger.orders.filter((order) => !["Filled", "Cancelled", "Inactive", "ApiCancelled"].includes(order.status))).toEqual([]);
    expect(result.closingOrders.map((order) => order.orderId).sort()).toEqual(
      ledger.orders.filter((order) => order.orderRef === `flatten:${result.id}`).map((order) => order.orderId).sort(),
    );
  });

  it("persists every execution and commission exactly once, with final order statuses", async () => {
    const ledger = simulator.ledger();
    await eventually(
      async () => {
        await engine.persisted();
        return prisma.commission.count();
      },
      (count) => count === ledger.commissions.length,
    );
    const executions = await prisma.execution.findMany({ orderBy: { execId: "asc" } });
    expect(executions.map((row) => row.execId)).toEqual(ledger.executions.map((execution) => execution.execId).sort());
    for (const execution of ledger.executions) {
      const row = executions.find((candidate) => candidate.execId === execution.execId);
      expect(Number(row?.shares)).toBe(execution.shares);
      expect(Number(row?.price)).toBe(execution.price);
      expect(row?.side).toBe(execution.side === "BOT" ? "BUY" : "SELL");
    }
    const commissions = await prisma.commission.findMany();
    for (const commission of ledger.commissions) {
      expect(Number(commissions.find((row) => row.execId === commission.execId)?.commission)).toBeCloseTo(commission.amount, 8);
    }
    const orders = await prisma.order.findMany();
    for (const order of ledger.orders) {
      expect(orders.find((row) => row.orderId === order.orderId)?.status).toBe(order.status);
    }
    const audit = await prisma.auditLog.findMany({ where: { action: "flatten_all" } });
    expect(audit).toEqual([expect.objectContaining({ actor: "test", source: "system", result: "flat" })]);
  });

  it("a second flatten request while one runs joins it instead of sending more orders", async () => {
    const first = engine.flattenAll({ actor: "test", source: "system" });
    const second = engine.flattenAll({ actor: "test", source: "system" });
    expect(await second).toBe(await first);
  });
});
