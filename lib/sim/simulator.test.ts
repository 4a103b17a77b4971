import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EventName, OrderAction, OrderType, type CommissionReport, type Contract, type Execution, type Order, type OrderState } from "@stoqey/ib";
import { startGatewaySimulator, type GatewaySimulator } from "./index";
import { collectUntil, connectClient, disconnect, eventually, recordCommissions, stock, waitForEvent, type ConnectedClient } from "./test-support";

type OrderStatusArgs = [number, string, number, number, number, number, number, number, number, string, number];
type OpenOrderArgs = [number, Contract, Order, OrderState];

let sim: GatewaySimulator;
const clients: ConnectedClient[] = [];

async function connect(clientId: number): Promise<ConnectedClient> {
  const client = await connectClient(sim.port, clientId);
  clients.push(client);
  return client;
}

const marketOrder = (action: OrderAction, quantity: number): Order => ({
  action,
  orderType: OrderType.MKT,
  totalQuantity: quantity,
  transmit: true,
});

const limitOrder = (action: OrderAction, quantity: number, lmtPrice: number): Order => ({
  action,
  orderType: OrderType.LMT,
  totalQuantity: quantity,
  lmtPrice,
  tif: "GTC",
  transmit: true,
});

function statusOf(orderId: number, status: string) {
  return (...args: OrderStatusArgs) => args[0] === orderId && args[1] === status;
}

beforeEach(async () => {
  sim = await startGatewaySimulator({ seed: 7, tickIntervalMs: 20 });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map(disconnect));
  await sim.stop();
});

describe("connection", () => {
  it("hands out the managed account, a next valid id and the farm notices", async () => {
    const client = await connect(1);
    expect(client.accounts).toBe("DU1234567");
    expect(client.nextValidId).toBeGreaterThan(0);
    await eventually(() => expect(client.errors.map(([, code]) => code)).toEqual(expect.arrayContaining([2104, 2106, 2158])));
    expect(client.api.serverVersion).toBe(178);
  });

  it("refuses a second connection with a client id already in use (326)", async () => {
    await connect(5);
    const second = await import("./test-support").then(({ RawClient }) => new RawClient(sim.port));
    second.handshake();
    await second.waitForFrame((fields) => fields.length === 2);
    second.sendFields(["71", "2", "5", ""]);
    const error = await second.waitForFrame((fields) => fields[0] === "4");
    expect(error.slice(2, 4)).toEqual(["-1", "326"]);
    await second.closed;
  });
});

describe("account", () => {
  it("reports the demo positions, long and short, then positionEnd", async () => {
    const { api } = await connect(1);
    const positions = collectUntil<[string, Contract, number, number]>(api, EventName.position, EventName.positionEnd);
    api.reqPositions();
    const bySymbol = new Map((await positions).map(([account, contract, quantity, avgCost]) => [contract.symbol, { account, quantity, avgCost, conId: contract.conId }]));
    expect(bySymbol.get("AAPL")).toMatchObject({ account: "DU1234567", quantity: 100, conId: 265598 });
    expect(bySymbol.get("MSFT")?.quantity).toBe(50);
    expect(bySymbol.get("TSLA")?.quantity).toBe(-30);
    expect(bySymbol.get("AAPL")?.avgCost).toBeGreaterThan(0);
    const ledger = sim.ledger();
    expect(ledger.positions.find((p) => p.symbol === "TSLA")).toMatchObject({ qty: -30, avgCost: bySymbol.get("TSLA")?.avgCost });
  });

  it("streams account values and portfolio, then accountDownloadEnd", async () => {
    const { api } = await connect(1);
    const values = new Map<string, string>();
    api.on(EventName.updateAccountValue, (key: string, value: string, currency: string) => {
      if (currency === "USD") values.set(key, value);
    });
    const portfolio = collectUntil<[Contract, number]>(api, EventName.updatePortfolio, EventName.accountDownloadEnd);
    api.reqAccountUpdates(true, "DU1234567");
    const items = await portfolio;
    for (const key of ["NetLiquidation", "TotalCashValue", "BuyingPower", "AvailableFunds", "UnrealizedPnL", "RealizedPnL"]) {
      expect(Number.isFinite(Number(values.get(key))), key).toBe(true);
    }
    expect(items.map(([contract, position]) => [contract.symbol, position])).toEqual(
      expect.arrayContaining([
        ["AAPL", 100],
        ["MSFT", 50],
        ["TSLA", -30],
      ]),
    );
    expect(Number(values.get("TotalCashValue"))).toBeCloseTo(sim.ledger().cash, 2);
  });

  it("answers an account summary with the requested tags and its End", async () => {
    const { api } = await connect(1);
    const rows = collectUntil<[number, string, string, string, string]>(api, EventName.accountSummary, EventName.accountSummaryEnd);
    api.reqAccountSummary(9, "All", "NetLiquidation,BuyingPower,TotalCashValue");
    const tags = (await rows).map(([reqId, account, tag]) => [reqId, account, tag]);
    expect(tags).toEqual([
      [9, "DU1234567", "NetLiquidation"],
      [9, "DU1234567", "BuyingPower"],
      [9, "DU1234567", "TotalCashValue"],
    ]);
  });
});

describe("market data", () => {
  it("streams bid, ask and last ticks on the tick grid, and stops after cancel", async () => {
    const { api } = await connect(1);
    const prices: Array<[number, number]> = [];
    api.on(EventName.tickPrice, (reqId: number, tickType: number, price: number) => {
      if (reqId === 3) prices.push([tickType, price]);
    });
    api.reqMktData(3, stock("AAPL"), "", false, false);
    await waitForEvent(api, EventName.tickPrice, (reqId: number) => reqId === 3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const types = new Set(prices.map(([type]) => type));
    expect([...types]).toEqual(expect.arrayContaining([1, 2, 4]));
    for (const [, price] of prices) expect(Math.round(price * 100) / 100).toBe(price);
    const bids = prices.filter(([type]) => type === 1).length;
    expect(bids).toBeGreaterThan(3);
    api.cancelMktData(3);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const countAfterCancel = prices.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(prices.length).toBe(countAfterCancel);
  });

  it("returns contract details with the minimum tick, and 200 for an unknown symbol", async () => {
    const { api, errors } = await connect(1);
    const details = collectUntil<[number, { contract: Contract; minTick: number; longName: string }]>(api, EventName.contractDetails, EventName.contractDetailsEnd);
    api.reqContractDetails(4, stock("MSFT"));
    const [[reqId, detail]] = await details;
    expect(reqId).toBe(4);
    expect(detail.contract).toMatchObject({ symbol: "MSFT", conId: 272093, currency: "USD" });
    expect(detail.minTick).toBe(0.01);
    api.reqContractDetails(5, stock("NOPE"));
    await waitForEvent(api, EventName.error, (_e: Error, code: number, id: number) => code === 200 && id === 5);
    expect(errors.some(([id, code]) => id === 5 && code === 200)).toBe(true);
  });
});

describe("orders", () => {
  it("fills a market order: Filled status, executions and IBKR fixed commission, booked in the ledger", async () => {
    const { api, nextValidId } = await connect(1);
    const executions: Execution[] = [];
    const commissions = recordCommissions(api);
    api.on(EventName.execDetails, (_reqId: number, contract: Contract, exec: Execution) => {
      if (exec.orderId === nextValidId && contract.symbol === "NVDA") executions.push(exec);
    });
    const filled = waitForEvent<OrderStatusArgs>(api, EventName.orderStatus, statusOf(nextValidId, "Filled"));
    api.placeOrder(nextValidId, stock("NVDA"), marketOrder(OrderAction.BUY, 300));
    const [, , filledQty, remaining, avgFillPrice] = await filled;
    expect([filledQty, remaining]).toEqual([300, 0]);
    await eventually(() => expect(executions.every((exec) => commissions.has(exec.execId ?? ""))).toBe(true));
    expect(executions.reduce((sum, exec) => sum + (exec.shares ?? 0), 0)).toBe(300);
    for (const exec of executions) expect(exec).toMatchObject({ side: "BOT", acctNumber: "DU1234567" });
    const charged = executions.map((exec) => commissions.get(exec.execId ?? "")?.commission ?? NaN);
    // Per order: $0.005 x 300 shares = $1.50, above the $1 minimum and below 1% of the value.
    expect(charged.reduce((sum, amount) => sum + amount, 0)).toBeCloseTo(1.5, 10);
    for (const exec of executions) expect(commissions.get(exec.execId ?? "")?.realizedPNL).toBeUndefined();

    const ledger = sim.ledger();
    const order = ledger.orders.find((o) => o.orderId === nextValidId && o.clientId === 1);
    expect(order).toMatchObject({ status: "Filled", filled: 300, remaining: 0, avgFillPrice });
    const booked = ledger.executions.filter((e) => e.orderId === nextValidId);
    expect(booked.map((e) => e.execId)).toEqual(executions.map((exec) => exec.execId));
    expect(ledger.commissions.filter((c) => booked.some((e) => e.execId === c.execId)).map((c) => c.amount)).toEqual(charged);
    expect(ledger.positions.find((p) => p.symbol === "NVDA")?.qty).toBe(300);
  });

  it("reports realized P&L on a closing fill", async () => {
    const { api, nextValidId } = await connect(1);
    const report = waitForEvent<[CommissionReport]>(api, EventName.commissionReport);
    api.placeOrder(nextValidId, stock("AAPL"), marketOrder(OrderAction.SELL, 100));
    const [{ realizedPNL, commission }] = await report;
    expect(typeof realizedPNL).toBe("number");
    const ledger = sim.ledger();
    expect(ledger.positions.find((p) => p.symbol === "AAPL")?.qty).toBe(0);
    expect(ledger.realizedPnl).toBeCloseTo(realizedPNL ?? NaN, 2);
    expect(commission).toBe(1);
  });

  it("rests a limit order away from the market, then cancels it (202) and reports Cancelled", async () => {
    const { api, nextValidId } = await connect(1);
    const submitted = waitForEvent<OrderStatusArgs>(api, EventName.orderStatus, statusOf(nextValidId, "Submitted"));
    const open = waitForEvent<OpenOrderArgs>(api, EventName.openOrder, (orderId) => orderId === nextValidId);
    api.placeOrder(nextValidId, stock("MSFT"), limitOrder(OrderAction.BUY, 10, 100));
    const [, contract, order, state] = await open;
    expect(contract.symbol).toBe("MSFT");
    expect(order).toMatchObject({ action: "BUY", totalQuantity: 10, orderType: "LMT", lmtPrice: 100, tif: "GTC" });
    expect(state.status).toBe("Submitted");
    await submitted;
    expect(sim.ledger().orders.find((o) => o.orderId === nextValidId)?.status).toBe("Submitted");

    const cancelled = waitForEvent<OrderStatusArgs>(api, EventName.orderStatus, statusOf(nextValidId, "Cancelled"));
    const notice = waitForEvent(api, EventName.error, (_e: Error, code: number, id: number) => code === 202 && id === nextValidId);
    api.cancelOrder(nextValidId);
    await Promise.all([cancelled, notice]);
    expect(sim.ledger().orders.find((o) => o.orderId === nextValidId)?.status).toBe("Cancelled");
  });

  it("fills a resting limit order once the market reaches it", async () => {
    const { api, nextValidId } = await connect(1);
    const quote = waitForEvent<[number, number, number]>(api, EventName.tickPrice, (reqId, type) => reqId === 1 && type === 2);
    api.reqMktData(1, stock("SPY"), "", false, false);
    const [, , ask] = await quote;
    const lmtPrice = Math.round((ask - 0.02) * 100) / 100;
    const filled = waitForEvent<OrderStatusArgs>(api, EventName.orderStatus, statusOf(nextValidId, "Filled"), 20_000);
    api.placeOrder(nextValidId, stock("SPY"), limitOrder(OrderAction.BUY, 100, lmtPrice));
    const [, , , , avgFillPrice] = await filled;
    expect(avgFillPrice).toBeLessThanOrEqual(lmtPrice);
  });

  it("answers a cancel of an unknown order with 10147 and of a filled order with 10148", async () => {
    const { api, nextValidId } = await connect(1);
    api.cancelOrder(999_999);
    await waitForEvent(api, EventName.error, (_e: Error, code: number, id: number) => code === 10147 && id === 999_999);
    const filled = waitForEvent<OrderStatusArgs>(api, EventName.orderStatus, statusOf(nextValidId, "Filled"));
    api.placeOrder(nextValidId, stock("MSFT"), marketOrder(OrderAction.BUY, 1));
    await filled;
    api.cancelOrder(nextValidId);
    await waitForEvent(api, EventName.error, (_e: Error, code: number, id: number) => code === 10148 && id === nextValidId);
  });

  it("rejects a limit price off the tick grid with 110", async () => {
    const { api, nextValidId } = await connect(1);
    api.placeOrder(nextValidId, stock("AAPL"), limitOrder(OrderAction.BUY, 1, 100.003));
    await waitForEvent(api, EventName.error, (_e: Error, code: number, id: number) => code === 110 && id === nextValidId);
    expect(sim.ledger().orders.some((o) => o.orderId === nextValidId && o.clientId === 1)).toBe(false);
  });

  it("global cancel cancels every open order of the account, whichever client placed it", async () => {
    const first = await connect(1);
    const second = await connect(2);
    const firstId = first.nextValidId;
    const secondId = Math.max(second.nextValidId, firstId + 1);
    const firstSubmitted = waitForEvent<OrderStatusArgs>(first.api, EventName.orderStatus, statusOf(firstId, "Submitted"));
    const secondSubmitted = waitForEvent<OrderStatusArgs>(second.api, EventName.orderStatus, statusOf(secondId, "Submitted"));
    first.api.placeOrder(firstId, stock("AAPL"), limitOrder(OrderAction.BUY, 5, 50));
    second.api.placeOrder(secondId, stock("MSFT"), limitOrder(OrderAction.SELL, 5, 900));
    await Promise.all([firstSubmitted, secondSubmitted]);

    const firstCancelled = waitForEvent<OrderStatusArgs>(first.api, EventName.orderStatus, statusOf(firstId, "Cancelled"));
    const secondCancelled = waitForEvent<OrderStatusArgs>(second.api, EventName.orderStatus, statusOf(secondId, "Cancelled"));
    first.api.reqGlobalCancel();
    await Promise.all([firstCancelled, secondCancelled]);
    const open = sim.ledger().orders.filter((o) => o.status === "Submitted" || o.status === "PreSubmitted");
    expect(open).toEqual([]);
  });

  it("lists a client's open orders again after it reconnects", async () => {
    const client = await connect(3);
    const orderId = client.nextValidId;
    const submitted = waitForEvent<OrderStatusArgs>(client.api, EventName.orderStatus, statusOf(orderId, "Submitted"));
    client.api.placeOrder(orderId, stock("TSLA"), limitOrder(OrderAction.SELL, 3, 999));
    await submitted;
    await disconnect(client);
    clients.splice(clients.indexOf(client), 1);

    const again = await connect(3);
    expect(again.nextValidId).toBeGreaterThan(orderId);
    const orders = collectUntil<OpenOrderArgs>(again.api, EventName.openOrder, EventName.openOrderEnd);
    again.api.reqOpenOrders();
    const listed = (await orders).map(([id, contract, order]) => [id, contract.symbol, order.lmtPrice]);
    expect(listed).toEqual([[orderId, "TSLA", 999]]);

    const all = collectUntil<OpenOrderArgs>(again.api, EventName.openOrder, EventName.openOrderEnd);
    again.api.reqAllOpenOrders();
    const symbols = (await all).map(([, contract]) => contract.symbol).sort();
    expect(symbols).toEqual(["AAPL", "NVDA", "TSLA"]);
  });

  it("replays executions with their commissions, then execDetailsEnd", async () => {
    const { api, nextValidId } = await connect(1);
    const filled = waitForEvent<OrderStatusArgs>(api, EventName.orderStatus, statusOf(nextValidId, "Filled"));
    api.placeOrder(nextValidId, stock("MSFT"), marketOrder(OrderAction.SELL, 20));
    await filled;
    const commissions = recordCommissions(api);
    const executions = collectUntil<[number, Contract, Execution]>(api, EventName.execDetails, EventName.execDetailsEnd);
    api.reqExecutions(42, {});
    const replayed = await executions;
    expect(replayed.length).toBeGreaterThan(0);
    for (const [reqId, , exec] of replayed) {
      expect(reqId).toBe(42);
      expect(commissions.has(exec.execId ?? "")).toBe(true);
    }
    expect(replayed.map(([, , exec]) => exec.execId)).toEqual(sim.ledger().executions.map((e) => e.execId));
  });
});
