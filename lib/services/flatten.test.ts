import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase } from "@/test/db";
import { eventually } from "@/test/eventually";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import type { AuditEvent } from "./audit";
import { FlattenService, gatewayFlattenBroker } from "./flatten";
import { defineInstrument } from "@/lib/core/model/instrument";
import { isOnTick } from "@/lib/core/model/rounding";
import { syntheticStocks } from "@/lib/sim/model/instruments";
import { ENGINE_CLIENT_ID, openPositions, seedBook, SIM_SYMBOLS, startRig, workingOrders, type Rig } from "./risk-test-support";

const BOOK = { AAPL: 30, MSFT: -20, TSLA: 15, SPY: -10, NVDA: 40, AMZN: -25, GOOGL: 12, META: -8, JPM: 22, QQQ: -5 };
/** The real universe's ten symbols plus ten made-up ones: 20 positions, long and short, each bracketed. */
const WIDE_EXTRA = syntheticStocks(10);
const WIDE_BOOK = { ...BOOK, ...Object.fromEntries(WIDE_EXTRA.map((stock, index) => [stock.symbol, index % 2 === 0 ? 10 + index : -(10 + index)])) };
const WIDE_PRICES = { ...SIM_SYMBOLS, ...Object.fromEntries(WIDE_EXTRA.map((stock) => [stock.symbol, stock.startPrice])) };
const FLATTEN = { actor: "owner", source: "web" as const };

let database: ScratchDatabase;
let rig: Rig | null = null;

beforeAll(async () => {
  database = await freshDatabase({ migrated: true });
});

afterEach(async () => {
  await rig?.stop();
  rig = null;
});

afterAll(async () => {
  await database?.drop();
});

async function bookedRig(audit?: (event: AuditEvent) => Promise<void>, wide = false): Promise<Rig> {
  const book = wide ? WIDE_BOOK : BOOK;
  rig = await startRig({ databaseUrl: database.url, audit, sim: { syntheticStocks: wide ? WIDE_EXTRA.length : 0 } });
  await seedBook(rig.sim, { positions: book, brackets: true, prices: wide ? WIDE_PRICES : undefined });
  rig.engine.start();
  const engine = rig.engine;
  const size = Object.keys(book).length;
  await eventually(
    () => [engine.view.openPositions().length, engine.view.workingOrders().length, engine.health().state] as const,
    ([positions, orders, state]) => positions === size && orders === 2 * size && state === "connected",
  );
  return rig;
}

const ourCloses = (current: Rig, id: string) => current.sim.ledger().orders.filter((order) => order.orderRef === `flatten:${id}`);

describe("flatten against the simulator with the real client", () => {
  it("cancels resting brackets of another client, closes 20 long and short positions, and retries a rejected close", async () => {
    const current = await bookedRig(undefined, true);
    current.sim.faults.rejectNextOrder();
    const result = await current.engine.flattenService.flattenAll(FLATTEN);
    expect(result).toMatchObject({ status: "flat", ordersCancelled: 40, remaining: [] });
    expect(result.message).toMatch(/^Every position closed\. [A-Z0-9]+ close \d+ refused: 201 /);
    expect(openPositions(current.sim)).toEqual([]);
    expect(workingOrders(current.sim)).toBe(0);
    const closes = ourCloses(current, result.id);
    expect(closes.filter((order) => order.status === "Inactive")).toHaveLength(1);
    expect(closes.filter((order) => order.status === "Filled")).toHaveLength(20);
    const rejected = closes.find((order) => order.status === "Inactive")!;
    expect(closes.filter((order) => order.symbol === rejected.symbol).map((order) => order.status)).toEqual(["Inactive", "Filled"]);
    await eventually(() => current.audits, (audits) => audits.some((event) => event.action === "flatten_all"));
    expect(current.audits.find((event) => event.action === "flatten_all")).toMatchObject({ actor: "owner", source: "web", result: "flat" });
  });

  it("joins a second trigger to the running flatten instead of sending more orders", async () => {
    const current = await bookedRig();
    const first = current.engine.flattenService.flattenAll(FLATTEN);
    const second = current.engine.flattenService.flattenAll({ actor: "guardian", source: "guardian" });
    const symbolWhileRunning = current.engine.flattenService.flattenSymbol(FLATTEN, "AAPL");
    const [a, b, c] = await Promise.all([first, second, symbolWhileRunning]);
    expect(b.id).toBe(a.id);
    expect(c.id).toBe(a.id);
    expect(ourCloses(current, a.id)).toHaveLength(10);
    expect(current.sim.ledger().orders.filter((order) => order.orderRef?.startsWith("flatten:"))).toHaveLength(10);
    expect(openPositions(current.sim)).toEqual([]);
  });

  it("resumes after the socket drops mid-flatten and completes", async () => {
    const current = await bookedRig();
    current.sim.faults.delayFills(1_500);
    const running = current.engine.flattenService.flattenAll(FLATTEN);
    await eventually(() => current.sim.ledger().orders.filter((order) => order.orderRef?.startsWith("flatten:")).length, (sent) => sent > 0);
    expect(current.sim.faults.dropSocket(ENGINE_CLIENT_ID)).toBe(1);
    current.sim.faults.delayFills(0);
    const result = await running;
    expect(result.status).toBe("flat");
    expect(openPositions(current.sim)).toEqual([]);
    expect(current.engine.health().state).toBe("connected");
  }, 60_000);

  it("completes while a strategy is stuck: one awaiting forever, one busy-looping in a listener", async () => {
    const current = await bookedRig();
    const stuck = new Promise<never>(() => undefined);
    const strategy = (async () => {
      await stuck;
    })();
    let busyMs = 0;
    const hog = () => {
      const start = Date.now();
      while (Date.now() - start < 20) busyMs += 0; // a handler that burns the thread on every event
      busyMs += Date.now() - start;
    };
    current.engine.view.on("positions", hog);
    current.engine.view.on("orders", hog);
    const result = await current.engine.flattenService.flattenAll(FLATTEN);
    expect(result.status).toBe("flat");
    expect(openPositions(current.sim)).toEqual([]);
    expect(busyMs).toBeGreaterThan(100);
    void strategy;
  });

  it("is not held up by a database outage: the audit row is written later, on retry", async () => {
    let failures = 0;
    const written: AuditEvent[] = [];
    const current = await bookedRig(async (event) => {
      if (failures++ < 2) throw new Error("connection refused");
      written.push(event);
    });
    const result = await current.engine.flattenService.flattenAll(FLATTEN);
    expect(result.status).toBe("flat");
    expect(written).toEqual([]);
    await eventually(() => written.length, (count) => count === 1, 20_000);
    expect(written[0]).toMatchObject({ action: "flatten_all", result: "flat" });
  }, 40_000);

  it("flattens one symbol and leaves the rest alone", async () => {
    const current = await bookedRig();
    const result = await current.engine.flattenService.flattenSymbol(FLATTEN, "MSFT");
    // The brackets belong to another client: TWS lets a client cancel only its own orders one by one, and the result says so.
    expect(result).toMatchObject({ status: "flat", symbol: "MSFT", ordersCancelled: 2 });
    expect(result.message).toContain("2 working order(s) could not be cancelled");
    const open = openPositions(current.sim);
    expect(open.find((position) => position.symbol === "MSFT")).toBeUndefined();
    expect(open).toHaveLength(9);
    expect(workingOrders(current.sim)).toBe(20);
  });

  it("outside regular hours closes with marketable limits through the touch, on the tick grid", async () => {
    const current = await bookedRig();
    const engine = current.engine;
    await eventually(() => engine.view.snapshot().quotes.filter((quote) => quote.bid !== null && quote.ask !== null).length, (count) => count === 10);
    const afterHours = new FlattenService({ broker: gatewayFlattenBroker(engine.client), view: engine.view, audit: async () => undefined, now: Date.now, connected: () => engine.client.ready, regularHours: () => false });
    const quotes = new Map(engine.view.snapshot().quotes.map((quote) => [quote.symbol, quote]));
    // The service learns quotes from events; one fresh quote per symbol arrives within a few market steps.
    await eventually(() => [...quotes.keys()].every((symbol) => afterHours.marketableLimit(symbol, "SELL") !== null), Boolean);
    const result = await afterHours.flattenAll(FLATTEN);
    expect(result.status).toBe("flat");
    const closes = ourCloses(current, result.id);
    expect(closes).toHaveLength(10);
    for (const order of closes) {
      expect(order.orderType).toBe("LMT");
      expect(isOnTick(defineInstrument({ symbol: order.symbol }), order.lmtPrice!)).toBe(true);
      const quote = quotes.get(order.symbol)!;
      if (order.action === "SELL") expect(order.lmtPrice!).toBeLessThan(quote.bid! * 0.995);
      else expect(order.lmtPrice!).toBeGreaterThan(quote.ask! * 1.005);
    }
    expect(openPositions(current.sim)).toEqual([]);
  });
});
