import { describe, expect, it } from "vitest";
import pino from "pino";
import type { Bar } from "@/lib/core/data/bars";
import { Atr } from "@/lib/core/indicators";
import { defineInstrument } from "@/lib/core/model/instrument";
import type { MarketDataPort, Tick } from "@/lib/core/ports";
import { riskSizedQuantity, trailAmount } from "@/lib/adapters/ibkr/brackets";
import { startRecordingProxy, type RecordingProxy } from "@/lib/adapters/ibkr/fixtures/recording-proxy";
import { parseClientRequest, type OrderRequest as WireOrderRequest } from "@/lib/sim/wire/incoming";
import { eventually } from "@/test/eventually";
import { useRunnerRig } from "./strategy-runner-test-support";

// A Wednesday, 12:00 in New York: inside the regular session. The test moves this clock by hand.
const SESSION_NOON = Date.UTC(2026, 10, 18, 17);
let now = SESSION_NOON;
const clock = { now: () => now };
const nvda = defineInstrument({ symbol: "NVDA" });

/** One-second bars before noon: closes 100.5 / 99.5 alternating, each two dollars high to low (true range 2). */
const history: Bar[] = Array.from({ length: 30 }, (_, i) => {
  const close = i % 2 === 0 ? 100.5 : 99.5;
  return { time: SESSION_NOON - (30 - i) * 1_000, open: close, high: close + 1, low: close - 1, close, volume: 1_000 };
});

/** Prints the test hands to the runner one by one (the simulator's own prints carry no size for the strategy's VWAP). */
function handFedPrints(): MarketDataPort & { print(symbol: string, price: number): void } {
  const listeners = new Set<(tick: Tick) => void>();
  return {
    subscribeBars: () => () => undefined,
    subscribeTicks: (_symbol, listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    print: (symbol, price) => {
      for (const listener of listeners) listener({ symbol, time: now, price, size: 100 });
    },
  };
}

/** Oversold under the lower VWAP band on any down bar; the take-profit 10 % away, far from the test's prices. */
const reversalParameters = { rsiPeriod: 2, oversold: 99.9, overbought: 100, vwapPeriod: 3, bandWidth: 0.0001, target: { percent: 10 }, longOnly: true };

describe("live brackets with an ATR trailing stop, against the simulated gateway", () => {
  let proxy: RecordingProxy | undefined;
  const rig = useRunnerRig({
    // The market stands still unless the test moves it.
    simulator: { seed: 5, tickIntervalMs: 60_000, startingState: "empty" },
    clock,
    clientId: 9,
    via: async (simulator) => (proxy = await startRecordingProxy(simulator)),
  });

  /** The placeOrder messages the simulator received, decoded by the simulator's own reader. */
  function placedOrders(): { orderId: number; order: WireOrderRequest }[] {
    const frames = proxy!.frames;
    const serverVersion = Number(frames.find((frame) => frame.from === "gateway")!.fields[0]);
    return frames
      .filter((frame) => frame.from === "client" && !frame.handshake && frame.fields[0] === "3")
      .map((frame) => parseClientRequest(frame.fields, serverVersion))
      .flatMap((request) => (request.type === "placeOrder" ? [{ orderId: request.orderId, order: request.order }] : []));
  }

  it("the stop child goes out as a TRAIL of multiple x ATR in the bracket's OCA group, sized by that distance, and triggers at the ratcheted level", async () => {
    await rig.prisma.strategyInstance.create({
      data: { id: "trail-nvda", strategy: "rsi-vwap", label: "ATR trail", symbols: ["NVDA"], parameters: { ...reversalParameters, bracketAtrTrailingStop: { period: 5, multiple: 1.5 } }, state: "running", barSeconds: 1, riskPercent: 0.5 },
    });
    const feed = handFedPrints();
    rig.simulator.setPrice("NVDA", 97);
    const directory = rig.runner({ marketData: feed, brackets: { preMarketBufferPercent: 0.1 }, history: () => Promise.resolve(history) });
    await directory.start();

    // One live bar at 97 (closed by the next print), on which the strategy enters.
    feed.print("NVDA", 97);
    now += 1_000;
    feed.print("NVDA", 97);
    const liveBar = { high: 97, low: 97, close: 97 };
    const atr = new Atr(5);
    for (const bar of [...history, liveBar]) atr.update(bar);
    const amount = trailAmount(nvda, 1.5 * atr.value);
    expect(amount).toBeCloseTo(3.15, 2);

    const sent = await eventually(placedOrders, (orders) => orders.length === 3);
    const [parent, takeProfit, stop] = sent;
    expect(parent.order).toMatchObject({ action: "BUY", orderType: "LMT", lmtPrice: 97, tif: "DAY", transmit: false, parentId: 0 });
    expect(takeProfit.order).toMatchObject({ action: "SELL", orderType: "LMT", lmtPrice: 106.7, tif: "GTC", transmit: false, parentId: parent.orderId, ocaGroup: `bracket-${parent.orderId}`, ocaType: 1 });
    expect(stop.order).toMatchObject({ action: "SELL", orderType: "TRAIL", auxPrice: amount, tif: "GTC", transmit: true, parentId: parent.orderId, ocaGroup: `bracket-${parent.orderId}`, ocaType: 1 });
    const quantity = riskSizedQuantity(nvda, { availableFunds: 100_000, riskPercent: 0.5, entryPrice: 97, stopDistance: amount });
    for (const { order } of sent) expect(order.totalQuantity).toBe(quantity);
    expect(quantity).toBe(158);

    const ledgerOrder = (orderId: number) => rig.simulator.ledger().orders.find((order) => order.orderId === orderId);
    await eventually(() => ledgerOrder(parent.orderId)?.status, (status) => status === "Filled");
    expect(ledgerOrder(stop.orderId)).toMatchObject({ orderType: "TRAIL", auxPrice: amount, ocaGroup: `bracket-${parent.orderId}` });

    // In favour: the trail ratchets up to 101 - amount; back down, it holds until the price reaches it.
    const ratcheted = Math.round((101 - amount) * 100) / 100;
    rig.simulator.setPrice("NVDA", 101);
    rig.simulator.setPrice("NVDA", ratcheted + 0.01);
    expect(ledgerOrder(stop.orderId)?.status).not.toBe("Filled");
    rig.simulator.setPrice("NVDA", ratcheted);
    await eventually(() => ledgerOrder(stop.orderId)?.status, (status) => status === "Filled");
    const executions = rig.simulator.ledger().executions.filter((execution) => execution.orderId === stop.orderId);
    expect(executions.map(({ side, price }) => ({ side, price }))).toEqual([{ side: "SLD", price: ratcheted }]);
    expect(executions.reduce((sum, execution) => sum + execution.shares, 0)).toBe(quantity);
    expect(ratcheted).toBeGreaterThan(97 - amount);
    await eventually(() => ledgerOrder(takeProfit.orderId)?.status, (status) => status === "Cancelled");
    await eventually(() => directory.holdings().find((holding) => holding.symbol === "NVDA")?.position, (position) => position === 0);
    directory.stop();
  }, 40_000);

  it("while the ATR is not ready the bracket keeps the strategy's fixed stop, sized by it, and the log says so", async () => {
    await rig.prisma.strategyInstance.updateMany({ data: { state: "paused" } });
    await rig.prisma.strategyInstance.create({
      data: { id: "cold-trail-msft", strategy: "rsi-vwap", label: "ATR trail, cold", symbols: ["MSFT"], parameters: { ...reversalParameters, bracketAtrTrailingStop: { period: 50, multiple: 1.5 } }, state: "running", barSeconds: 1, riskPercent: 0.5 },
    });
    const warnings: { msg: string; instance?: string }[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => void warnings.push(JSON.parse(line) as { msg: string }) });
    const feed = handFedPrints();
    const before = placedOrders().length;
    const directory = rig.runner({ marketData: feed, brackets: { preMarketBufferPercent: 0.1 }, history: () => Promise.resolve(history), log });
    await directory.start();
    now += 1_000;
    feed.print("MSFT", 97);
    now += 1_000;
    feed.print("MSFT", 97);

    const sent = await eventually(() => placedOrders().slice(before), (orders) => orders.length === 3);
    directory.stop();
    const [parent, , stop] = sent;
    expect(stop.order).toMatchObject({ orderType: "STP", auxPrice: 92.15, transmit: true, ocaGroup: `bracket-${parent.orderId}` });
    expect(parent.order.totalQuantity).toBe(riskSizedQuantity(nvda, { availableFunds: 100_000, riskPercent: 0.5, entryPrice: 97, stopPrice: 92.15 }));
    expect(warnings).toContainEqual(expect.objectContaining({ instance: "cold-trail-msft", msg: expect.stringMatching(/^ATR not ready yet: this entry bracket keeps the strategy's fixed stop/) }));
  }, 40_000);
});
