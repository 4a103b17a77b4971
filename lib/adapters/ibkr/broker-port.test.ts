import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { startGatewaySimulator, type GatewaySimulator } from "@/lib/sim";
import { defineInstrument } from "@/lib/core/model/instrument";
import type { OrderRequest } from "@/lib/core/model/order";
import type { BrokerEvent, DomainEvent, Tick } from "@/lib/core/ports";
import { createTestPrisma } from "@/test/db";
import { eventually } from "@/test/eventually";
import { GatewayClient } from "./gateway-client";
import { IbkrBroker } from "./broker-port";
import { IbkrMarketData } from "./market-data";
import { ContractDirectory, UnknownContractError } from "./contracts";
import { BracketGuard, buildBracket, riskSizedQuantity } from "./brackets";

const log = pino({ level: "silent" });
const clock = { now: () => Date.now() };

describe("IBKR broker and market-data ports against the simulated gateway", () => {
  let simulator: GatewaySimulator;
  let gateway: GatewayClient;
  let broker: IbkrBroker;
  let prisma: PrismaClient;
  const events: BrokerEvent[] = [];

  beforeAll(async () => {
    simulator = await startGatewaySimulator({ seed: 11, tickIntervalMs: 20, startingState: "empty" });
    prisma = createTestPrisma();
    gateway = new GatewayClient({ host: simulator.host, port: simulator.port, clientId: 5, log });
    gateway.start();
    await eventually(() => gateway.ready, (ready) => ready);
    broker = new IbkrBroker({ gateway, log, orderRefOf: (request) => `test:${request.parentId ?? request.id}:${request.tag ?? ""}` });
    broker.onEvent((event) => events.push(event));
  });

  afterAll(async () => {
    broker?.dispose();
    await gateway?.stop();
    await simulator?.stop();
    await prisma?.$disconnect();
  });

  it("a market order fills once, with its commission, and its Filled status comes after the fill", async () => {
    const id = broker.nextOrderId();
    broker.submit({ id, symbol: "AAPL", side: "BUY", quantity: 10, type: "MKT", timeInForce: "DAY", tag: "entry" });
    await eventually(() => events.filter((event) => event.type === "status" && event.update.orderId === id && event.update.status === "Filled").length, (count) => count > 0);
    const mine = events.filter((event) => (event.type === "fill" ? event.fill.orderId : event.update.orderId) === id);
    const fills = mine.filter((event) => event.type === "fill");
    const ledger = simulator.ledger();
    const executions = ledger.executions.filter((execution) => execution.orderId === id);
    expect(fills.map((event) => event.fill.execId).sort()).toEqual(executions.map((execution) => execution.execId).sort());
    const commission = ledger.commissions.find((row) => row.execId === executions[0].execId)!.amount;
    expect(fills[0].fill.commission).toBeCloseTo(commission, 8);
    const filledAt = mine.findIndex((event) => event.type === "status" && event.update.status === "Filled");
    expect(mine.findLastIndex((event) => event.type === "fill")).toBeLessThan(filledAt);
    expect(ledger.orders.find((order) => order.orderId === id)?.orderRef).toBe(`test:${id}:entry`);
  });

  it("a bracket goes out as one group: parent limit, take-profit and stop in one OCA group, children waiting for the parent", async () => {
    const instrument = defineInstrument({ symbol: "MSFT" });
    const price = gatewayPrice("MSFT");
    const ids = [broker.nextOrderId(), broker.nextOrderId(), broker.nextOrderId()] as const;
    const orders = buildBracket(instrument, ids, { side: "BUY", quantity: 5, entryPrice: (await price) * 0.9, takeProfit: (await price) * 1.2, stop: { price: (await price) * 0.8 } });
    for (const order of orders) broker.submit(order);
    const ledger = await eventually(() => simulator.ledger(), (current) => ids.every((id) => current.orders.some((order) => order.orderId === id)));
    const [parent, takeProfit, stop] = ids.map((id) => ledger.orders.find((order) => order.orderId === id)!);
    expect(parent).toMatchObject({ orderType: "LMT", action: "BUY", status: "Submitted", parentId: 0 });
    expect(takeProfit).toMatchObject({ orderType: "LMT", action: "SELL", parentId: ids[0], ocaGroup: `bracket-${ids[0]}`, status: "PreSubmitted" });
    expect(stop).toMatchObject({ orderType: "STP", action: "SELL", parentId: ids[0], ocaGroup: `bracket-${ids[0]}`, status: "PreSubmitted" });
    expect(parent.lmtPrice! * 100).toBeCloseTo(Math.round(parent.lmtPrice! * 100), 9);
    broker.cancel(ids[0]);
    await eventually(() => simulator.ledger().orders.filter((order) => ids.includes(order.orderId as never)).map((order) => order.status), (statuses) => statuses.every((status) => status === "Cancelled"));
  });

  it("cancels the entry and raises an alert when the protective stop is refused", async () => {
    // A wrong tick size (0.001 for a 0.01 stock) puts the stop off TWS's grid: error 110.
    const wrongTick = defineInstrument({ symbol: "NVDA", tickSize: "0.001" });
    const alerts: DomainEvent[] = [];
    const guard = new BracketGuard({ broker, events: { emit: (event) => alerts.push(event) }, clock, protectionTimeoutMs: 5_000 });
    const price = await gatewayPrice("NVDA");
    const ids = [broker.nextOrderId(), broker.nextOrderId(), broker.nextOrderId()] as const;
    const entry = Math.floor(price * 90) / 100;
    const orders = buildBracket(wrongTick, ids, { side: "BUY", quantity: 3, entryPrice: entry, takeProfit: Math.ceil(price * 110) / 100, stop: { price: entry - 5.005 } });
    for (const order of orders) broker.submit(order);
    await eventually(() => alerts.length, (count) => count > 0);
    expect(alerts[0]).toMatchObject({ type: "error", message: expect.stringContaining(`entry ${ids[0]} cancelled`) });
    await eventually(() => simulator.ledger().orders.find((order) => order.orderId === ids[0])?.status, (status) => status === "Cancelled" || status === undefined);
    expect(simulator.ledger().executions.filter((execution) => ids.includes(execution.orderId as never))).toEqual([]);
    expect(guard.pending).toBe(0);
    guard.dispose();
  });

  it("cancels the entry when the protective child is not acknowledged in time", async () => {
    const alerts: DomainEvent[] = [];
    const guard = new BracketGuard({ broker, events: { emit: (event) => alerts.push(event) }, clock, protectionTimeoutMs: 0 });
    const price = await gatewayPrice("AMZN");
    const ids = [broker.nextOrderId(), broker.nextOrderId(), broker.nextOrderId()] as const;
    const orders = buildBracket(defineInstrument({ symbol: "AMZN" }), ids, { side: "BUY", quantity: 2, entryPrice: price * 0.9, takeProfit: price * 1.1, stop: { atr: 1.234, atrMultiple: 2 } });
    expect(orders[2]).toMatchObject({ type: "TRAIL", trail: { amount: 2.47 } });
    for (const order of orders) broker.submit(order);
    await eventually(() => alerts.length, (count) => count > 0);
    expect(alerts[0]).toMatchObject({ message: expect.stringContaining("not acknowledged within 0 ms") });
    await eventually(() => simulator.ledger().orders.filter((order) => ids.includes(order.orderId as never)).map((order) => order.status), (statuses) => statuses.length === 3 && statuses.every((status) => status === "Cancelled"));
    guard.dispose();
  });

  it("streams trade ticks per symbol and builds bars from them", async () => {
    const data = new IbkrMarketData(gateway, clock, 100);
    const ticks: Tick[] = [];
    const bars: number[] = [];
    const stopTicks = data.subscribeTicks("SPY", (tick) => ticks.push(tick));
    const stopBars = data.subscribeBars("SPY", (bar) => bars.push(bar.time));
    await eventually(() => bars.length, (count) => count >= 2);
    expect(ticks.every((tick) => tick.symbol === "SPY" && tick.price > 0)).toBe(true);
    expect(bars[1] - bars[0]).toBeGreaterThanOrEqual(100);
    expect(bars.every((time) => time % 100 === 0)).toBe(true);
    stopTicks();
    stopBars();
    data.dispose();
  });

  it("qualifies contracts by symbol and by ISIN, with the tick size from minTick, and keeps them in Postgres", async () => {
    await prisma.ibContract.deleteMany({ where: { symbol: { in: ["AAPL", "RELIANCE"] } } });
    const contracts = new ContractDirectory(gateway, prisma);
    const apple = await contracts.qualify({ symbol: "aapl" });
    expect(apple.contract).toMatchObject({ conId: 265598, symbol: "AAPL", currency: "USD", primaryExch: "NASDAQ" });
    expect(apple.instrument.tickSize.toString()).toBe("0.01");
    expect(apple.instrument.timeZone).toBe("America/New_York");
    const reliance = await contracts.qualify({ isin: "INE002A01018" });
    expect(reliance.instrument).toMatchObject({ symbol: "RELIANCE", currency: "INR", isin: "INE002A01018", timeZone: "Asia/Kolkata" });
    expect(reliance.instrument.tickSize.toString()).toBe("0.05");
    expect(contracts.known("RELIANCE")).toBe(reliance);
    await expect(contracts.qualify({ symbol: "NOSUCH" })).rejects.toBeInstanceOf(UnknownContractError);

    // A fresh directory over a gateway that is not connected answers from Postgres alone.
    const offline = new GatewayClient({ host: "127.0.0.1", port: 1, clientId: 9, log });
    const cached = await new ContractDirectory(offline, prisma).qualify({ isin: "INE002A01018" });
    expect(cached.contract.conId).toBe(reliance.contract.conId);
    expect(cached.instrument.tickSize.toString()).toBe("0.05");
  });

  it("sizes from available funds and risk per trade, in whole lots", () => {
    const instrument = defineInstrument({ symbol: "AAPL" });
    expect(riskSizedQuantity(instrument, { availableFunds: 10_000, riskPercent: 1, entryPrice: 100, stopPrice: 97 })).toBe(33);
    expect(riskSizedQuantity(instrument, { availableFunds: 1_000, riskPercent: 50, entryPrice: 100, stopPrice: 99 })).toBe(10);
    expect(riskSizedQuantity(instrument, { availableFunds: 1_000, riskPercent: 1, entryPrice: 100, stopPrice: 100 })).toBe(0);
    expect(() => riskSizedQuantity(instrument, { availableFunds: -1, riskPercent: 1, entryPrice: 1, stopPrice: 0.5 })).toThrow(/availableFunds/);
  });

  /** The symbol's current last price, from the stream. */
  function gatewayPrice(symbol: string): Promise<number> {
    return new Promise((resolve) => {
      const data = new IbkrMarketData(gateway, clock);
      const stop = data.subscribeTicks(symbol, (tick) => {
        stop();
        data.dispose();
        resolve(tick.price);
      });
    });
  }
});

describe("bracket building", () => {
  const instrument = defineInstrument({ symbol: "AAPL" });

  it("rounds each price the safe way and applies the pre-market buffer to the entry", () => {
    const [parent, takeProfit, stop] = buildBracket(instrument, [1, 2, 3], {
      side: "BUY",
      quantity: 10.7,
      entryPrice: 100.006,
      takeProfit: 110.001,
      stop: { price: 95.009 },
      preMarket: true,
      preMarketBufferPercent: 0.5,
    });
    expect(parent).toMatchObject({ type: "LMT", limitPrice: 100.5, quantity: 10, side: "BUY" });
    expect(takeProfit).toMatchObject({ type: "LMT", limitPrice: 110.01, side: "SELL", parentId: 1 });
    expect(stop).toMatchObject({ type: "STP", stopPrice: 95, side: "SELL", parentId: 1 });
  });

  it("a short bracket rounds its stop up and its take-profit down", () => {
    const orders: OrderRequest[] = buildBracket(instrument, [4, 5, 6], { side: "SELL", quantity: 5, entryPrice: 100.004, takeProfit: 90.009, stop: { price: 104.001 } });
    expect(orders.map((order) => ("limitPrice" in order ? order.limitPrice : "stopPrice" in order ? order.stopPrice : null))).toEqual([100.01, 90, 104.01]);
  });

  it("names the bad field", () => {
    expect(() => buildBracket(instrument, [1, 2, 3], { side: "BUY", quantity: 1, entryPrice: 100, takeProfit: 90, stop: { price: 95 } })).toThrow(/takeProfit/);
  });
});
