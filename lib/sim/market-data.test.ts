/** Market data types, snapshots, historical bars, contracts, P&L and pacing, through the real client. */
import { afterEach, describe, expect, it } from "vitest";
import { BarSizeSetting, EventName, SecType, WhatToShow, type Contract } from "@stoqey/ib";
import { startGatewaySimulator, type GatewaySimulator, type GatewaySimulatorOptions } from "./index";
import { collectUntil, connectClient, disconnect, eventually, RawClient, stock, subscribe, waitForEvent, type ConnectedClient } from "./test-support";

type BarArgs = [number, string, number, number, number, number, number, number, number];

let sim: GatewaySimulator;
let client: ConnectedClient;

async function start(options: GatewaySimulatorOptions = {}): Promise<void> {
  sim = await startGatewaySimulator({ seed: 21, tickIntervalMs: 20, ...options });
  client = await connectClient(sim.port, 1);
}

afterEach(async () => {
  if (client) await disconnect(client);
  await sim?.stop();
});

function historicalBars(reqId: number): Promise<BarArgs[]> {
  return new Promise((resolve, reject) => {
    const bars: BarArgs[] = [];
    const timer = setTimeout(() => reject(new Error("no end of historical data")), 5_000);
    const unsubscribe = subscribe(client.api, EventName.historicalData, (...args: BarArgs) => {
      if (args[0] !== reqId) return;
      if (args[1].startsWith("finished")) {
        clearTimeout(timer);
        unsubscribe();
        resolve(bars);
      } else {
        bars.push(args);
      }
    });
  });
}

describe("market data types", () => {
  it("serves delayed tick types after reqMarketDataType(3)", async () => {
    await start();
    const types = new Set<number>();
    client.api.on(EventName.tickPrice, (_id: number, type: number) => types.add(type));
    const announced = waitForEvent<[number, number]>(client.api, EventName.marketDataType, (reqId) => reqId === 2);
    client.api.reqMarketDataType(3);
    client.api.reqMktData(2, stock("AAPL"), "", false, false);
    const [, type] = await announced;
    expect(type).toBe(3);
    // Delayed bid, ask, last, high, low, close, open.
    await eventually(() => expect([...types]).toEqual(expect.arrayContaining([66, 67, 68, 72, 73, 75, 76])));
    expect(types.has(1)).toBe(false);
  });

  it("answers a live request without entitlement with 10167 and delayed data", async () => {
    await start({ marketDataEntitled: false });
    const warning = waitForEvent(client.api, EventName.error, (_e: Error, code: number, id: number) => code === 10167 && id === 4);
    const delayedBid = waitForEvent(client.api, EventName.tickPrice, (id: number, type: number) => id === 4 && type === 66);
    client.api.reqMktData(4, stock("MSFT"), "", false, false);
    await Promise.all([warning, delayedBid]);
  });

  it("ends a snapshot with tickSnapshotEnd and streams nothing after it", async () => {
    await start();
    let ticks = 0;
    client.api.on(EventName.tickPrice, (id: number) => id === 6 && (ticks += 1));
    const end = waitForEvent(client.api, EventName.tickSnapshotEnd, (id: number) => id === 6);
    client.api.reqMktData(6, stock("NVDA"), "", true, false);
    await end;
    const atEnd = ticks;
    expect(atEnd).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(ticks).toBe(atEnd);
  });
});

describe("historical data", () => {
  it("returns regular-hours 5-minute bars with a U-shaped volume profile, ending at today's price", async () => {
    await start({ tickIntervalMs: 60_000 });
    const bars = historicalBars(10);
    client.api.reqHistoricalData(10, stock("AAPL"), "20261120 16:00:00 US/Eastern", "1 D", BarSizeSetting.MINUTES_FIVE, WhatToShow.TRADES, 1, 1, false);
    const received = await bars;
    expect(received).toHaveLength(78);
    expect(received[0][1]).toBe("20261120 09:30:00 US/Eastern");
    expect(received.at(-1)?.[1]).toBe("20261120 15:55:00 US/Eastern");
    for (const [, , open, high, low, close] of received) {
      expect(high).toBeGreaterThanOrEqual(Math.max(open, close));
      expect(low).toBeLessThanOrEqual(Math.min(open, close));
      expect(Math.round(close * 100) / 100).toBe(close);
    }
    const volume = (index: number) => received[index][6];
    const middle = received.slice(30, 48).reduce((sum, bar) => sum + bar[6], 0) / 18;
    expect(volume(0)).toBeGreaterThan(middle);
    expect(volume(77)).toBeGreaterThan(middle);
  });

  it("returns daily bars on weekdays with formatDate 2, and -1 volume for MIDPOINT", async () => {
    await start({ tickIntervalMs: 60_000 });
    const bars = historicalBars(11);
    client.api.reqHistoricalData(11, stock("MSFT"), "", "2 W", BarSizeSetting.DAYS_ONE, WhatToShow.MIDPOINT, 1, 2, false);
    const received = await bars;
    expect(received.length).toBeGreaterThanOrEqual(9);
    for (const [, date, , , , , volume] of received) {
      expect(date).toMatch(/^\d{8}$/);
      const weekday = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T12:00:00Z`).getUTCDay();
      expect([0, 6]).not.toContain(weekday);
      expect(volume).toBe(-1);
    }
  });

  it("streams the forming bar with keepUpToDate", async () => {
    await start();
    const update = waitForEvent<BarArgs>(client.api, EventName.historicalDataUpdate, (reqId) => reqId === 12);
    client.api.reqHistoricalData(12, stock("SPY"), "", "1 D", BarSizeSetting.MINUTES_ONE, WhatToShow.TRADES, 0, 2, true);
    const [, date, open, high, low, close] = await update;
    expect(date).toMatch(/^\d{9,10}$/);
    expect(high).toBeGreaterThanOrEqual(Math.max(open, close));
    expect(low).toBeLessThanOrEqual(Math.min(open, close));
    client.api.cancelHistoricalData(12);
  });

  it("rejects an invalid bar size with 321 and an identical request within 15 s with 162", async () => {
    await start({ tickIntervalMs: 60_000 });
    client.api.reqHistoricalData(13, stock("AAPL"), "", "1 D", "7 mins" as BarSizeSetting, WhatToShow.TRADES, 1, 1, false);
    await waitForEvent(client.api, EventName.error, (_e: Error, code: number, id: number) => code === 321 && id === 13);
    const first = historicalBars(14);
    client.api.reqHistoricalData(14, stock("AAPL"), "", "1 D", BarSizeSetting.HOURS_ONE, WhatToShow.TRADES, 1, 1, false);
    await first;
    client.api.reqHistoricalData(15, stock("AAPL"), "", "1 D", BarSizeSetting.HOURS_ONE, WhatToShow.TRADES, 1, 1, false);
    await waitForEvent(client.api, EventName.error, (_e: Error, code: number, id: number) => code === 162 && id === 15);
  });
});

describe("contracts and P&L", () => {
  it("resolves contracts by conId and by ISIN, including the NSE stock in INR", async () => {
    await start();
    const byConId = collectUntil<[number, { contract: Contract }]>(client.api, EventName.contractDetails, EventName.contractDetailsEnd);
    client.api.reqContractDetails(20, { conId: 272093 });
    expect((await byConId)[0][1].contract.symbol).toBe("MSFT");
    const byIsin = collectUntil<[number, { contract: Contract; timeZoneId: string; minTick: number }]>(client.api, EventName.contractDetails, EventName.contractDetailsEnd);
    client.api.reqContractDetails(21, { secIdType: "ISIN", secId: "INE002A01018", secType: SecType.STK });
    const [[, details]] = await byIsin;
    expect(details.contract).toMatchObject({ symbol: "RELIANCE", currency: "INR", primaryExch: "NSE" });
    expect(details.timeZoneId).toBe("Asia/Kolkata");
    expect(details.minTick).toBe(0.05);
  });

  it("reports account P&L", async () => {
    await start();
    const [, daily, unrealized, realized] = await (async () => {
      const pnl = waitForEvent<[number, number, number, number]>(client.api, EventName.pnl, (reqId) => reqId === 30);
      client.api.reqPnL(30, "DU1234567", "");
      return pnl;
    })();
    expect(Number.isFinite(daily)).toBe(true);
    expect(Number.isFinite(unrealized)).toBe(true);
    expect(realized).toBe(0);
  });
});

describe("message rate", () => {
  it("disconnects a client that sends more than 50 messages a second, with error 100", async () => {
    await start();
    const raw = new RawClient(sim.port);
    await raw.connected;
    raw.handshake();
    await raw.waitForFrame((fields) => fields.length === 2);
    raw.sendFields(["71", "2", "8", ""]);
    for (let i = 0; i < 60; i++) raw.sendFields(["49", "1"]);
    const error = await raw.waitForFrame((fields) => fields[0] === "4" && fields[3] === "100");
    expect(error[4]).toMatch(/^Max rate of messages per second has been exceeded/);
    await raw.closed;
  });

  it("lets the same burst through when pacing is switched off", async () => {
    sim = await startGatewaySimulator({ pacing: false });
    const raw = new RawClient(sim.port);
    await raw.connected;
    raw.handshake();
    await raw.waitForFrame((fields) => fields.length === 2);
    raw.sendFields(["71", "2", "8", ""]);
    for (let i = 0; i < 60; i++) raw.sendFields(["49", "1"]);
    await eventually(() => expect(raw.frames.filter((fields) => fields[0] === "49")).toHaveLength(60));
    expect(raw.isClosed).toBe(false);
    raw.destroy();
  });
});
