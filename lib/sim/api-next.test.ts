/** The basics through `@stoqey/ib`'s higher-level IBApiNext client. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IBApiNext, IBApiTickType, OrderAction, OrderType, type AccountPositionsUpdate, type MarketDataUpdate } from "@stoqey/ib";
import { startGatewaySimulator, type GatewaySimulator } from "./index";
import { stock } from "./test-support";

interface Subscribable<T> {
  subscribe(observer: { next: (value: T) => void; error: (error: unknown) => void }): { unsubscribe(): void };
}

/** The first value of an observable stream that satisfies `accept`. */
function firstMatching<T>(stream: Subscribable<T>, accept: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error(`no matching value within ${timeoutMs} ms`));
    }, timeoutMs);
    const subscription = stream.subscribe({
      next: (value) => {
        if (!accept(value)) return;
        clearTimeout(timer);
        queueMicrotask(() => subscription.unsubscribe());
        resolve(value);
      },
      error: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
  });
}

let sim: GatewaySimulator;
let api: IBApiNext;

beforeEach(async () => {
  sim = await startGatewaySimulator({ seed: 5, tickIntervalMs: 20 });
  api = new IBApiNext({ host: sim.host, port: sim.port });
  api.connect(21);
});

afterEach(async () => {
  api.disconnect();
  await sim.stop();
});

describe("IBApiNext against the simulator", () => {
  it("reads the managed accounts and the demo positions", async () => {
    expect(await api.getManagedAccounts()).toEqual(["DU1234567"]);
    const update = await firstMatching<AccountPositionsUpdate>(api.getPositions(), (u) => (u.all.get("DU1234567")?.length ?? 0) >= 3);
    const positions = update.all.get("DU1234567") ?? [];
    const quantities = Object.fromEntries(positions.map((p) => [p.contract.symbol, p.pos]));
    expect(quantities).toMatchObject({ AAPL: 100, MSFT: 50, TSLA: -30 });
  });

  it("streams market data with bid below ask", async () => {
    const update = await firstMatching<MarketDataUpdate>(api.getMarketData(stock("MSFT"), "", false, false), (u) => u.all.has(IBApiTickType.BID) && u.all.has(IBApiTickType.ASK));
    const bid = update.all.get(IBApiTickType.BID)?.value ?? NaN;
    const ask = update.all.get(IBApiTickType.ASK)?.value ?? NaN;
    expect(bid).toBeLessThan(ask);
  });

  it("places a market order that the ledger books as filled", async () => {
    const orderId = await api.placeNewOrder(stock("AAPL"), { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 7, transmit: true });
    await expect
      .poll(() => sim.ledger().orders.find((o) => o.orderId === orderId && o.clientId === 21)?.status, { timeout: 5_000 })
      .toBe("Filled");
    expect(sim.ledger().positions.find((p) => p.symbol === "AAPL")?.qty).toBe(107);
  });
});
