/** Order types, time in force, brackets, OCA groups, modifications and rejections, through the real client. */
import { afterEach, describe, expect, it } from "vitest";
import { EventName, OrderAction, OrderType, type Contract, type Execution, type Order, type OrderState } from "@stoqey/ib";
import { startGatewaySimulator, type GatewaySimulator, type GatewaySimulatorOptions } from "./index";
import { collectUntil, connectClient, disconnect, eventually, ManualClock, recordCommissions, stock, waitForEvent, type ConnectedClient } from "./test-support";

type OrderStatusArgs = [number, string, number, number, number, number, number, number, number, string, number];
type OpenOrderArgs = [number, Contract, Order, OrderState];

/** No random steps during these tests: prices move only through setPrice. */
const FROZEN_MARKET = { tickIntervalMs: 60_000, seed: 13 } as const;
/** Saturday 21 Nov 2026 is no trading day; Monday 23 Nov 2026 15:59:00 New York is one minute before the close. */
const MONDAY_1559_NEW_YORK = Date.parse("2026-11-23T20:59:00Z");
const MONDAY_1800_NEW_YORK = Date.parse("2026-11-23T23:00:00Z");

let sim: GatewaySimulator;
let client: ConnectedClient;
let nextId: number;

async function start(options: GatewaySimulatorOptions = FROZEN_MARKET): Promise<void> {
  sim = await startGatewaySimulator(options);
  client = await connectClient(sim.port, 1);
  nextId = client.nextValidId;
}

afterEach(async () => {
  if (client) await disconnect(client);
  await sim?.stop();
});

function place(symbol: string, order: Partial<Order>): number {
  const orderId = nextId++;
  client.api.placeOrder(orderId, stock(symbol), { transmit: true, ...order } as Order);
  return orderId;
}

const status = (orderId: number, wanted: string, timeoutMs = 5_000) =>
  waitForEvent<OrderStatusArgs>(client.api, EventName.orderStatus, (id, s) => id === orderId && s === wanted, timeoutMs);

const ledgerOrder = (orderId: number) => sim.ledger().orders.find((order) => order.orderId === orderId && order.clientId === 1);

describe("stop and trailing orders", () => {
  it("a stop waits as PreSubmitted, then triggers and sells at the bid", async () => {
    await start();
    sim.setPrice("AAPL", 200);
    const waiting = status(nextId, "PreSubmitted");
    const id = place("AAPL", { action: OrderAction.SELL, orderType: OrderType.STP, auxPrice: 195, totalQuantity: 100 });
    await waiting;
    sim.setPrice("AAPL", 196);
    expect(ledgerOrder(id)?.status).toBe("PreSubmitted");
    const filled = status(id, "Filled");
    sim.setPrice("AAPL", 194.5);
    const [, , quantity, , avgPrice] = await filled;
    expect([quantity, avgPrice]).toEqual([100, 194.5]);
  });

  it("a stop-limit triggers into a limit that fills only at its price", async () => {
    await start();
    sim.setPrice("MSFT", 400);
    const waiting = status(nextId, "PreSubmitted");
    const id = place("MSFT", { action: OrderAction.BUY, orderType: OrderType.STP_LMT, auxPrice: 410, lmtPrice: 411, totalQuantity: 10 });
    await waiting;
    const submitted = status(id, "Submitted");
    sim.setPrice("MSFT", 412);
    await submitted;
    expect(ledgerOrder(id)?.filled).toBe(0);
    const filled = status(id, "Filled");
    sim.setPrice("MSFT", 411);
    const [, , , , avgPrice] = await filled;
    expect(avgPrice).toBe(411);
  });

  it("a trailing stop by amount follows the price up and fires on the pullback", async () => {
    await start();
    sim.setPrice("NVDA", 100);
    const id = place("NVDA", { action: OrderAction.SELL, orderType: OrderType.TRAIL, auxPrice: 2, totalQuantity: 10 });
    await status(id, "PreSubmitted");
    sim.setPrice("NVDA", 110);
    sim.setPrice("NVDA", 108.5);
    expect(ledgerOrder(id)?.status).toBe("PreSubmitted");
    const filled = status(id, "Filled");
    sim.setPrice("NVDA", 107.9);
    const [, , , , avgPrice] = await filled;
    expect(avgPrice).toBe(107.9);
  });

  it("a trailing stop by percent keeps its stop on the tick grid", async () => {
    await start();
    sim.setPrice("SPY", 500);
    const id = place("SPY", { action: OrderAction.BUY, orderType: OrderType.TRAIL, trailingPercent: 1, totalQuantity: 5 });
    await status(id, "PreSubmitted");
    sim.setPrice("SPY", 480);
    const open = waitForEvent<OpenOrderArgs>(client.api, EventName.openOrder, (orderId) => orderId === id);
    client.api.reqOpenOrders();
    const [, , order] = await open;
    expect(order.trailStopPrice).toBe(484.8);
    const filled = status(id, "Filled");
    sim.setPrice("SPY", 484.8);
    await filled;
  });
});

describe("time in force and trading hours", () => {
  it("IOC cancels what cannot fill at once", async () => {
    await start();
    sim.setPrice("AAPL", 200);
    const cancelled = status(nextId, "Cancelled");
    place("AAPL", { action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: 150, totalQuantity: 10, tif: "IOC" });
    await cancelled;
  });

  it("market-on-close and limit-on-close execute in the closing auction", async () => {
    const clock = new ManualClock(MONDAY_1559_NEW_YORK);
    await start({ seed: 13, tickIntervalMs: 10, clock });
    sim.setPrice("MSFT", 400);
    const moc = place("MSFT", { action: OrderAction.BUY, orderType: OrderType.MOC, totalQuantity: 5 });
    const loc = place("MSFT", { action: OrderAction.BUY, orderType: OrderType.LOC, lmtPrice: 350, totalQuantity: 5 });
    await status(loc, "PreSubmitted");
    expect(ledgerOrder(moc)?.filled).toBe(0);
    const filled = status(moc, "Filled");
    const cancelled = status(loc, "Cancelled");
    clock.advance(90_000);
    const [, , quantity, , avgPrice] = await filled;
    expect(quantity).toBe(5);
    expect(avgPrice).toBeGreaterThan(390);
    await cancelled;
  });

  it("outside regular hours rejects market orders without outsideRth (201) and holds limits without it", async () => {
    const clock = new ManualClock(MONDAY_1800_NEW_YORK);
    await start({ seed: 13, tickIntervalMs: 60_000, clock, enforceTradingHours: true });
    sim.setPrice("AAPL", 200);
    const marketId = nextId;
    const rejected = waitForEvent(client.api, EventName.error, (_e: Error, code: number, id: number) => code === 201 && id === marketId);
    const inactive = status(marketId, "Inactive");
    place("AAPL", { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 1 });
    await Promise.all([rejected, inactive]);

    const held = place("AAPL", { action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: 201, totalQuantity: 1 });
    await status(held, "Submitted");
    const extended = place("AAPL", { action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: 201, totalQuantity: 1, outsideRth: true });
    await status(extended, "Filled");
    expect(ledgerOrder(held)?.filled).toBe(0);
  });

  it("DAY orders expire at the close, GTC orders stay", async () => {
    const clock = new ManualClock(MONDAY_1559_NEW_YORK);
    await start({ seed: 13, tickIntervalMs: 10, clock, enforceTradingHours: true });
    const day = place("TSLA", { action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: 10, totalQuantity: 1, tif: "DAY" });
    const gtc = place("TSLA", { action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: 10, totalQuantity: 1, tif: "GTC" });
    await status(gtc, "Submitted");
    const expired = status(day, "Cancelled");
    clock.advance(90_000);
    await expired;
    expect(ledgerOrder(gtc)?.status).toBe("Submitted");
  });
});

describe("brackets and OCA groups", () => {
  it("holds a bracket until its last child is transmitted, then exits on the stop and cancels the target", async () => {
    await start();
    sim.setPrice("AAPL", 200);
    const parent = place("AAPL", { action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: 199, totalQuantity: 10, transmit: false });
    const target = place("AAPL", { action: OrderAction.SELL, orderType: OrderType.LMT, lmtPrice: 210, totalQuantity: 10, parentId: parent, transmit: false });
    await eventually(() => expect(ledgerOrder(target)?.status).toBe("Held"));
    expect(ledgerOrder(parent)?.status).toBe("Held");

    const parentSubmitted = status(parent, "Submitted");
    const stopWaiting = status(nextId, "PreSubmitted");
    const stop = place("AAPL", { action: OrderAction.SELL, orderType: OrderType.STP, auxPrice: 190, totalQuantity: 10, parentId: parent, transmit: true });
    await Promise.all([parentSubmitted, stopWaiting]);
    expect(ledgerOrder(target)?.status).toBe("PreSubmitted");

    const parentFilled = status(parent, "Filled");
    const targetLive = status(target, "Submitted");
    sim.setPrice("AAPL", 199);
    await Promise.all([parentFilled, targetLive]);

    const stopFilled = status(stop, "Filled");
    const targetCancelled = status(target, "Cancelled");
    sim.setPrice("AAPL", 189.5);
    await Promise.all([stopFilled, targetCancelled]);
    expect(sim.ledger().positions.find((p) => p.symbol === "AAPL")?.qty).toBe(100);
  });

  it("OCA type 1 cancels the rest of the group when one order fills", async () => {
    await start();
    sim.setPrice("MSFT", 400);
    const low = place("MSFT", { action: OrderAction.SELL, orderType: OrderType.LMT, lmtPrice: 401, totalQuantity: 10, ocaGroup: "exit", ocaType: 1 });
    const high = place("MSFT", { action: OrderAction.SELL, orderType: OrderType.LMT, lmtPrice: 420, totalQuantity: 10, ocaGroup: "exit", ocaType: 1 });
    await status(high, "Submitted");
    const cancelled = status(high, "Cancelled");
    sim.setPrice("MSFT", 401);
    await Promise.all([status(low, "Filled"), cancelled]);
  });

  it("OCA type 3 reduces the others by the filled quantity", async () => {
    await start();
    sim.setPrice("MSFT", 400);
    const first = place("MSFT", { action: OrderAction.SELL, orderType: OrderType.LMT, lmtPrice: 401, totalQuantity: 30, ocaGroup: "scale", ocaType: 3 });
    const second = place("MSFT", { action: OrderAction.SELL, orderType: OrderType.LMT, lmtPrice: 430, totalQuantity: 50, ocaGroup: "scale", ocaType: 3 });
    await status(second, "Submitted");
    sim.setPrice("MSFT", 401);
    await status(first, "Filled");
    await eventually(() => expect(ledgerOrder(second)).toMatchObject({ status: "Submitted", totalQuantity: 20 }));
  });
});

describe("modifications, partial fills and rejections", () => {
  it("modifies a resting order by re-sending placeOrder with its id", async () => {
    await start();
    sim.setPrice("TSLA", 250);
    const id = place("TSLA", { action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: 240, totalQuantity: 10 });
    await status(id, "Submitted");
    const modified = waitForEvent<OpenOrderArgs>(client.api, EventName.openOrder, (orderId, _c, order) => orderId === id && order.lmtPrice === 245);
    client.api.placeOrder(id, stock("TSLA"), { action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: 245, totalQuantity: 12, transmit: true });
    const [, , order] = await modified;
    expect(order.totalQuantity).toBe(12);
    expect(ledgerOrder(id)).toMatchObject({ lmtPrice: 245, totalQuantity: 12, status: "Submitted" });
    const filled = status(id, "Filled");
    client.api.placeOrder(id, stock("TSLA"), { action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: 250, totalQuantity: 12, transmit: true });
    await filled;
  });

  it("fills a large order in parts across market steps, with one order commission", async () => {
    await start({ seed: 13, tickIntervalMs: 5 });
    const commissions = recordCommissions(client.api);
    const executions: Execution[] = [];
    client.api.on(EventName.execDetails, (_r: number, _c: Contract, exec: Execution) => executions.push(exec));
    const id = place("NVDA", { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 2_000 });
    await status(id, "Filled", 20_000);
    await eventually(() => expect(executions.every((exec) => commissions.has(exec.execId ?? ""))).toBe(true));
    expect(executions.length).toBeGreaterThan(1);
    const cumulative = executions.map((exec) => exec.cumQty);
    expect(cumulative).toEqual([...cumulative].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(cumulative.at(-1)).toBe(2_000);
    const total = executions.reduce((sum, exec) => sum + (commissions.get(exec.execId ?? "")?.commission ?? NaN), 0);
    // $0.005 x 2,000 shares, charged per order however many fills it took.
    expect(total).toBeCloseTo(10, 9);
  });

  it("sends the completed order's status twice and the open order once more, as TWS does", async () => {
    await start();
    const statuses: string[] = [];
    const opens: string[] = [];
    const id = nextId;
    client.api.on(EventName.orderStatus, (orderId: number, s: string) => orderId === id && statuses.push(s));
    client.api.on(EventName.openOrder, (orderId: number, _c: Contract, _o: Order, state: OrderState) => orderId === id && opens.push(String(state.status)));
    const commission = waitForEvent(client.api, EventName.commissionReport);
    place("AAPL", { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 1 });
    await commission;
    expect(statuses).toEqual(["Submitted", "Filled", "Filled"]);
    expect(opens).toEqual(["Submitted", "Filled"]);
  });

  it("rejects an order id below one already used (103) and a modify of a filled order (104)", async () => {
    await start();
    const high = nextId + 5;
    client.api.placeOrder(high, stock("AAPL"), { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 1, transmit: true });
    await status(high, "Filled");
    client.api.placeOrder(high - 2, stock("AAPL"), { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 1, transmit: true });
    await waitForEvent(client.api, EventName.error, (_e: Error, code: number, id: number) => code === 103 && id === high - 2);
    client.api.placeOrder(high, stock("AAPL"), { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 2, transmit: true });
    await waitForEvent(client.api, EventName.error, (_e: Error, code: number, id: number) => code === 104 && id === high);
  });

  it("rejects an order the account cannot margin with 201 and status Inactive", async () => {
    sim = await startGatewaySimulator({ ...FROZEN_MARKET, startingState: "empty" });
    client = await connectClient(sim.port, 1);
    nextId = client.nextValidId;
    const orderId = nextId;
    const rejected = waitForEvent<[Error, number, number]>(client.api, EventName.error, (_e, code, id) => code === 201 && id === orderId);
    const inactive = status(orderId, "Inactive");
    place("SPY", { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 10_000 });
    const [[error]] = await Promise.all([rejected, inactive]);
    expect(error.message).toMatch(/^Order rejected - reason:/);
    expect(sim.ledger().executions).toEqual([]);
  });
});

describe("several clients", () => {
  it("each client hears about its own orders; positions and executions are account-wide", async () => {
    await start();
    const other = await connectClient(sim.port, 2);
    try {
      const otherStatuses: number[] = [];
      other.api.on(EventName.orderStatus, (orderId: number) => otherStatuses.push(orderId));
      const positions: Array<[string, number]> = [];
      other.api.on(EventName.position, (_a: string, contract: Contract, pos: number) => positions.push([contract.symbol ?? "", pos]));
      const initial = waitForEvent(other.api, EventName.positionEnd);
      other.api.reqPositions();
      await initial;

      const id = place("MSFT", { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 4 });
      await status(id, "Filled");
      await eventually(() => expect(positions).toContainEqual(["MSFT", 54]));
      expect(otherStatuses).not.toContain(id);

      const executions = collectUntil<[number, Contract, Execution]>(other.api, EventName.execDetails, EventName.execDetailsEnd);
      other.api.reqExecutions(5, {});
      const replayed = await executions;
      expect(replayed.map(([, , exec]) => [exec.orderId, exec.clientId])).toContainEqual([id, 1]);
    } finally {
      await disconnect(other);
    }
  });
});
