/**
 * `@stoqey/ib`'s decoder rejects a message with a missing or extra field (error 505), so it
 * serves as a strict conformance oracle: every frame the simulator sends during a scripted
 * session must decode cleanly at server versions 176 and 178. Requests are produced by the
 * same library's encoder at the negotiated version.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BarSizeSetting, OrderAction, OrderType, SecType, WhatToShow, type Contract } from "@stoqey/ib";
import { Decoder } from "@stoqey/ib/dist/core/io/decoder";
import { Encoder } from "@stoqey/ib/dist/core/io/encoder";
import { startGatewaySimulator, type GatewaySimulator } from "../index";
import { RawClient } from "../test-support";
import { OUT } from "./outgoing";

const DECODE_FAILURE = 505;
const aapl: Contract = { symbol: "AAPL", secType: SecType.STK, exchange: "SMART", currency: "USD" };
const nvda: Contract = { symbol: "NVDA", secType: SecType.STK, exchange: "SMART", currency: "USD" };

/** Flattens encoder tokens the way the client socket does before writing them. */
function toFields(tokens: unknown[]): string[] {
  return tokens.flat(Infinity).map((token) => {
    if (token === undefined || token === null) return "";
    if (typeof token === "boolean") return token ? "1" : "0";
    return String(token);
  });
}

function requestEncoder(serverVersion: number, client: RawClient): Encoder {
  return new Encoder({
    serverVersion,
    sendMsg: (...tokens: unknown[]) => client.sendFields(toFields(tokens)),
    emitError: (message: string) => {
      throw new Error(`encoder refused a request: ${message}`);
    },
  });
}

interface DecodeResult {
  events: string[];
  failures: string[];
}

function decodeFrames(serverVersion: number, frames: readonly string[][]): DecodeResult {
  const result: DecodeResult = { events: [], failures: [] };
  const decoder = new Decoder({
    serverVersion,
    emitEvent: (name: string) => result.events.push(name),
    emitError: (message: string, code: number) => {
      if (code === DECODE_FAILURE) result.failures.push(message);
    },
    emitInfo: () => undefined,
  });
  for (const fields of frames) {
    decoder.enqueueMessage(fields);
    decoder.process();
  }
  return result;
}

async function scriptedSession(sim: GatewaySimulator, serverVersion: number, clientId: number): Promise<string[][]> {
  const client = new RawClient(sim.port);
  await client.connected;
  client.handshake(`v100..${serverVersion}`);
  const greeting = await client.waitForFrame((fields) => fields.length === 2);
  expect(greeting[0]).toBe(String(serverVersion));
  client.sendFields(["71", "2", String(clientId), ""]);
  const [, , nextId] = await client.waitForFrame((fields) => fields[0] === String(OUT.NEXT_VALID_ID));
  const orderId = Number(nextId);
  const encoder = requestEncoder(serverVersion, client);

  encoder.reqPositions();
  encoder.reqAccountUpdates(true, "DU1234567");
  encoder.reqAccountSummary(1, "All", "NetLiquidation,BuyingPower,$LEDGER:ALL");
  encoder.reqAccountUpdatesMulti(2, "DU1234567", "", false);
  encoder.reqMktData(3, aapl, "", false, false);
  encoder.reqMktData(4, nvda, "", true, false);
  encoder.reqContractDetails(5, aapl);
  encoder.reqContractDetails(6, { ...aapl, symbol: "NOSUCH" });
  encoder.placeOrder(orderId, nvda, { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 10, transmit: true });
  encoder.placeOrder(orderId + 1, aapl, { action: OrderAction.SELL, orderType: OrderType.LMT, totalQuantity: 100, lmtPrice: 999, tif: "GTC", transmit: true });
  encoder.placeOrder(orderId + 2, aapl, { action: OrderAction.BUY, orderType: OrderType.STP, totalQuantity: 5, auxPrice: 999, transmit: true });
  encoder.cancelOrder(orderId + 1, { manualOrderCancelTime: "" });
  encoder.reqOpenOrders();
  encoder.reqAllOpenOrders();
  encoder.reqCompletedOrders(false);
  encoder.reqCurrentTime();
  encoder.reqIds(1);
  encoder.reqManagedAccts();
  encoder.reqHistoricalData(8, aapl, "", "1 D", BarSizeSetting.MINUTES_FIVE, WhatToShow.TRADES, 0, 1, true);
  encoder.reqHeadTimestamp(9, aapl, WhatToShow.TRADES, true, 1);
  encoder.reqPnL(10, "DU1234567", "");
  encoder.reqMarketDataType(3);
  await client.waitForFrame((fields) => fields[0] === String(OUT.COMMISSION_REPORT));
  encoder.reqExecutions(7, {});
  await client.waitForFrame((fields) => fields[0] === String(OUT.EXECUTION_DATA_END));
  await new Promise((resolve) => setTimeout(resolve, 100));
  client.destroy();
  return client.frames.slice(1);
}

/**
 * Below 177 IB's own decoders read completedOrder's faProfile by server version, but
 * @stoqey/ib reads it by the message version, which is unbounded for completed orders, so it
 * never does: the simulator writes IB's layout, checked at 176 by "completed order layout".
 */
const isCompletedOrder = (fields: readonly string[]) => fields[0] === String(OUT.COMPLETED_ORDER);

describe.each([176, 178])("at server version %i", (serverVersion) => {
  let sim: GatewaySimulator;
  let frames: string[][];

  beforeAll(async () => {
    sim = await startGatewaySimulator({ seed: 3, tickIntervalMs: 10 });
    frames = await scriptedSession(sim, serverVersion, 9);
  });
  afterAll(() => sim.stop());

  it("every frame decodes without a missing or extra field", () => {
    const { failures } = decodeFrames(serverVersion, frames.filter((fields) => serverVersion >= 177 || !isCompletedOrder(fields)));
    expect(failures).toEqual([]);
  });

  it("the session covered every message type the simulator sends", () => {
    const sent = new Set(frames.map((fields) => Number(fields[0])));
    const expected = [
      OUT.TICK_PRICE, OUT.TICK_SIZE, OUT.ORDER_STATUS, OUT.ERR_MSG, OUT.OPEN_ORDER, OUT.ACCT_VALUE, OUT.PORTFOLIO_VALUE,
      OUT.ACCT_UPDATE_TIME, OUT.NEXT_VALID_ID, OUT.CONTRACT_DATA, OUT.EXECUTION_DATA, OUT.MANAGED_ACCTS, OUT.CURRENT_TIME,
      OUT.CONTRACT_DATA_END, OUT.OPEN_ORDER_END, OUT.ACCT_DOWNLOAD_END, OUT.EXECUTION_DATA_END, OUT.TICK_SNAPSHOT_END,
      OUT.MARKET_DATA_TYPE, OUT.COMMISSION_REPORT, OUT.POSITION, OUT.POSITION_END, OUT.ACCOUNT_SUMMARY, OUT.ACCOUNT_SUMMARY_END,
      OUT.ACCOUNT_UPDATE_MULTI, OUT.ACCOUNT_UPDATE_MULTI_END, OUT.TICK_REQ_PARAMS, OUT.COMPLETED_ORDER, OUT.COMPLETED_ORDERS_END,
      OUT.HISTORICAL_DATA, OUT.HISTORICAL_DATA_UPDATE, OUT.HEAD_TIMESTAMP, OUT.PNL,
    ];
    expect([...expected].filter((id) => !sent.has(id))).toEqual([]);
  });

  it("decodes into the events a client expects", () => {
    const { events } = decodeFrames(serverVersion, frames);
    for (const event of ["managedAccounts", "nextValidId", "position", "positionEnd", "openOrder", "orderStatus", "execDetails", "commissionReport", "contractDetails", "tickPrice", "accountSummaryEnd", "historicalData", "historicalDataUpdate", "headTimestamp", "pnl"]) {
      expect(events, event).toContain(event);
    }
  });
});

describe("the oracle itself", () => {
  it("reports a frame with an extra or a missing field", () => {
    const nextValidId = [String(OUT.NEXT_VALID_ID), "1", "7"];
    expect(decodeFrames(178, [nextValidId]).failures).toEqual([]);
    expect(decodeFrames(178, [[...nextValidId, "extra"]]).failures).toHaveLength(1);
    expect(decodeFrames(178, [nextValidId.slice(0, 2)]).failures).toHaveLength(1);
  });
});

describe("open order layout", () => {
  it("carries the deprecated faProfile field below server version 177 only", async () => {
    const sim = await startGatewaySimulator({ seed: 3 });
    try {
      const lengths: number[] = [];
      for (const version of [176, 178]) {
        const client = new RawClient(sim.port);
        await client.connected;
        client.handshake(`v157..${version}`);
        await client.waitForFrame((fields) => fields.length === 2);
        client.sendFields(["71", "2", String(version), ""]);
        client.sendFields(["16", "1"]);
        const openOrder = await client.waitForFrame((fields) => fields[0] === String(OUT.OPEN_ORDER));
        lengths.push(openOrder.length);
        client.destroy();
      }
      expect(lengths[0] - lengths[1]).toBe(1);
    } finally {
      await sim.stop();
    }
  });
});

describe("completed order layout", () => {
  let sim: GatewaySimulator;
  beforeAll(async () => {
    sim = await startGatewaySimulator({ seed: 3, tickIntervalMs: 10 });
  });
  afterAll(() => sim.stop());

  async function completedOrders(serverVersion: number, clientId: number): Promise<string[][]> {
    const client = new RawClient(sim.port);
    await client.connected;
    client.handshake(`v157..${serverVersion}`);
    await client.waitForFrame((fields) => fields.length === 2);
    client.sendFields(["71", "2", String(clientId), ""]);
    const [, , nextId] = await client.waitForFrame((fields) => fields[0] === String(OUT.NEXT_VALID_ID));
    const orderId = Number(nextId);
    const encoder = requestEncoder(serverVersion, client);
    encoder.placeOrder(orderId, nvda, { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 10, orderRef: "k1:filled", transmit: true });
    encoder.placeOrder(orderId + 1, aapl, { action: OrderAction.SELL, orderType: OrderType.LMT, totalQuantity: 100, lmtPrice: 999, orderRef: "k1:cancelled", transmit: true });
    encoder.cancelOrder(orderId + 1, { manualOrderCancelTime: "" });
    await client.waitForFrame((fields) => fields[0] === String(OUT.COMMISSION_REPORT));
    const from = client.frames.length;
    encoder.reqCompletedOrders(true);
    await client.waitForFrame((fields) => fields[0] === String(OUT.COMPLETED_ORDERS_END));
    client.destroy();
    return client.frames.slice(from).filter(isCompletedOrder);
  }

  it("decodes, at the negotiated version 178, into each ended order's status, fill, permId, orderRef and reason", async () => {
    const frames = await completedOrders(178, 21);
    const decoded: Array<{ order: Record<string, unknown>; state: Record<string, unknown> }> = [];
    const decoder = new Decoder({
      serverVersion: 178,
      emitEvent: (name: string, ...args: unknown[]) => {
        if (name === "completedOrder") decoded.push({ order: args[1] as Record<string, unknown>, state: args[2] as Record<string, unknown> });
      },
      emitError: (message: string, code: number) => {
        if (code === DECODE_FAILURE) throw new Error(message);
      },
      emitInfo: () => undefined,
    });
    for (const fields of frames) {
      decoder.enqueueMessage(fields);
      decoder.process();
    }
    const ledger = sim.ledger().orders;
    const byRef = (ref: string) => decoded.find((entry) => entry.order.orderRef === ref);
    expect(byRef("k1:filled")).toMatchObject({
      order: { action: "BUY", totalQuantity: 10, filledQuantity: 10, permId: ledger.find((order) => order.orderRef === "k1:filled")?.permId },
      state: { status: "Filled", completedStatus: "Filled Size: 10" },
    });
    expect(byRef("k1:cancelled")).toMatchObject({
      order: { action: "SELL", totalQuantity: 100, filledQuantity: 0, lmtPrice: 999 },
      state: { status: "Cancelled", completedStatus: "Cancelled by Trader" },
    });
    expect(String(byRef("k1:cancelled")?.state.completedTime)).toMatch(/^\d{8} \d{2}:\d{2}:\d{2} US\/Eastern$/);
  });

  it("carries the deprecated faProfile field below server version 177 only, as IB's decoders read it", async () => {
    const [at176] = await completedOrders(176, 22);
    const [at178] = await completedOrders(178, 23);
    expect(at176.length - at178.length).toBe(1);
  });
});
