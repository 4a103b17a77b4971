import { describe, expect, it } from "vitest";
import { perShareCommission } from "@/lib/core/model/commission";
import type { BrokerEvent, DomainEvent } from "@/lib/core/ports";
import { IbkrBroker } from "@/lib/adapters/ibkr/broker-port";
import { paperBroker } from "@/lib/adapters/paper/paper-broker";
import { eventually } from "@/test/eventually";
import { InvalidStrategyParameters } from "./strategy-directory";
import { HistoricalQueue } from "@/lib/adapters/ibkr/historical-queue";
import { OrderDecisions, decisionIdOf } from "@/lib/adapters/db/order-decisions";
import { riskSizedQuantity } from "@/lib/adapters/ibkr/brackets";
import { defineInstrument } from "@/lib/core/model/instrument";
import { CHART_BARS, decisionNamer, historyFrom, namedBroker, orderRefOfDecision } from "./strategy-runner";
import { quietLog as log, useRunnerRig } from "./strategy-runner-test-support";

const actor = { user: "owner", source: "web" as const };
// A Wednesday, 12:00 in New York, moving with the wall clock: inside the regular session.
const SESSION_NOON = Date.UTC(2026, 10, 18, 17);
const startedAt = Date.now();
const clock = { now: () => SESSION_NOON + (Date.now() - startedAt) };

describe("strategy runner against the simulated gateway and Postgres", () => {
  const rig = useRunnerRig({ simulator: { seed: 21, tickIntervalMs: 10, startingState: "empty" }, clock, clientId: 7 });
  const { events, entitlements } = rig;
  const runner = rig.runner;

  it("seeds a paused golden cross on the first start and validates parameter changes by the strategy's schema", async () => {
    const directory = runner();
    await directory.start();
    expect(directory.list()).toEqual([expect.objectContaining({ id: "golden-cross-spy", strategy: "golden-cross", state: "paused", symbols: ["SPY"], positions: {} })]);

    const rejected = await directory.updateParameters(actor, "golden-cross-spy", { fast: 300, exits: { emaExitPeriod: 1 } }).catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(InvalidStrategyParameters);
    expect((rejected as InvalidStrategyParameters).issues.map((issue) => issue.path).sort()).toEqual(["exits.emaExitPeriod", "fast"]);

    const updated = await directory.updateParameters(actor, "golden-cross-spy", { fast: 20, slow: 100, exits: { emaExitPeriod: 20 } });
    expect(updated.parameters).toEqual({ fast: 20, slow: 100, exits: { emaExitPeriod: 20 } });
    const row = await rig.prisma.strategyInstance.findUniqueOrThrow({ where: { id: "golden-cross-spy" } });
    expect(row.parameters).toEqual({ fast: 20, slow: 100, exits: { emaExitPeriod: 20 } });
    directory.stop();

    const again = runner();
    await again.start();
    expect(again.list().map((view) => view.id)).toEqual(["golden-cross-spy"]);
    again.stop();
  });

  it("trades live through the engine: orders reach the simulator with the decision's orderRef, and positions agree with its ledger", async () => {
    await rig.prisma.strategyInstance.create({
      data: { id: "ma-aapl", strategy: "ma-cross", label: "fast MA cross", symbols: ["AAPL"], parameters: { fast: 2, slow: 4 }, state: "paused", barSeconds: 1, riskPercent: 10, maxCyclesPerDay: 50 },
    });
    const directory = runner();
    await directory.start();
    const view = await directory.setState(actor, "ma-aapl", "running");
    expect(view.state).toBe("running");

    const ledger = await eventually(() => rig.simulator.ledger(), (current) => current.executions.some((execution) => execution.symbol === "AAPL"), 30_000);
    const mine = ledger.orders.filter((order) => order.orderRef.startsWith("k1:ma-aapl."));
    expect(mine.length).toBeGreaterThan(0);
    for (const order of mine) expect(order.orderRef).toBe(`k1:ma-aapl.${order.parentId || order.orderId}`);
    expect(events.some((event) => event.type === "decision" && event.symbol === "AAPL")).toBe(true);

    await directory.setState(actor, "ma-aapl", "paused");
    await eventually(() => rig.simulator.ledger().orders.filter((order) => order.symbol === "AAPL" && !["Filled", "Cancelled", "Inactive"].includes(order.status)).length, (open) => open === 0);
    const held = rig.simulator.ledger().positions.find((position) => position.symbol === "AAPL")?.qty ?? 0;
    const fills = events.filter((event): event is Extract<DomainEvent, { type: "fill" }> => event.type === "fill" && event.fill.symbol === "AAPL");
    expect(fills.reduce((sum, event) => sum + (event.fill.side === "BUY" ? 1 : -1) * event.fill.quantity, 0)).toBe(held);
    expect(new Set(fills.map((event) => event.fill.execId)).size).toBe(fills.length);
    const audit = await rig.prisma.auditLog.findMany({ where: { action: { startsWith: "strategy_" } } });
    expect(audit.map((row) => row.action)).toEqual(expect.arrayContaining(["strategy_start", "strategy_pause"]));
    directory.stop();
  }, 40_000);

  it("refuses entries outside the trading window, on delayed data, and beyond the day's trade cycles", async () => {
    entitlements.set("TSLA", "delayed");
    await rig.prisma.strategyInstance.createMany({
      data: [
        { id: "window-msft", strategy: "ma-cross", label: "morning only", symbols: ["MSFT"], parameters: { fast: 2, slow: 3 }, state: "running", barSeconds: 1, windowStart: "09:30", windowEnd: "10:00" },
        { id: "delayed-tsla", strategy: "ma-cross", label: "delayed data", symbols: ["TSLA"], parameters: { fast: 2, slow: 3 }, state: "running", barSeconds: 1 },
        { id: "one-cycle-nvda", strategy: "ma-cross", label: "one cycle", symbols: ["NVDA"], parameters: { fast: 2, slow: 3 }, state: "running", barSeconds: 1, maxCyclesPerDay: 1, riskPercent: 5 },
      ],
    });
    const directory = runner();
    await directory.start();
    const denials = () => events.filter((event): event is Extract<DomainEvent, { type: "denial" }> => event.type === "denial");
    await eventually(
      () => denials().map((event) => `${event.intent.symbol}: ${event.reason}`),
      (reasons) => ["MSFT", "TSLA", "NVDA"].every((symbol) => reasons.some((reason) => reason.startsWith(symbol))),
      40_000,
    );
    expect(denials().find((event) => event.intent.symbol === "MSFT")?.reason).toMatch(/outside the trading window \(09:30-10:00 America\/New_York\)/);
    expect(denials().find((event) => event.intent.symbol === "TSLA")?.reason).toMatch(/delayed: entries refused/);
    expect(denials().find((event) => event.intent.symbol === "NVDA")?.reason).toMatch(/1 of 1 trade cycles used today/);
    expect(rig.simulator.ledger().orders.filter((order) => order.symbol === "MSFT" || order.symbol === "TSLA")).toEqual([]);
    directory.stop();
  }, 60_000);

  it("BROKER=paper: the same runner trades on the simulated broker with live prices, sending nothing to the gateway", async () => {
    await rig.prisma.strategyInstance.create({
      data: { id: "paper-meta", strategy: "ma-cross", label: "paper", symbols: ["META"], parameters: { fast: 2, slow: 4 }, state: "running", barSeconds: 1, riskPercent: 10, maxCyclesPerDay: 50 },
    });
    await rig.prisma.strategyInstance.updateMany({ where: { id: { not: "paper-meta" } }, data: { state: "paused" } });
    const directory = runner({ brokerFor: (instrument) => paperBroker(instrument, { clock, commission: perShareCommission() }) });
    await directory.start();
    await eventually(() => events.filter((event) => event.type === "fill" && event.fill.symbol === "META").length, (count) => count > 0, 30_000);
    expect(rig.simulator.ledger().orders.filter((order) => order.symbol === "META")).toEqual([]);
    const view = directory.list().find((candidate) => candidate.id === "paper-meta")!;
    const fills = events.filter((event): event is Extract<DomainEvent, { type: "fill" }> => event.type === "fill" && event.fill.symbol === "META");
    expect(view.positions.META).toBe(fills.reduce((sum, event) => sum + (event.fill.side === "BUY" ? 1 : -1) * event.fill.quantity, 0));
    directory.stop();
  }, 40_000);

  it("warms a strategy up on the gateway's history: a 50/200 cross decides on its first live bar, and nothing trades on history", async () => {
    const queue = new HistoricalQueue({ gateway: rig.gateway, prisma: rig.prisma });
    const history = historyFrom(queue, clock);
    const past = await history("QQQ", 60, 250);
    expect(past.length).toBe(250);
    expect(past.every((bar, index) => index === 0 || bar.time > past[index - 1].time)).toBe(true);
    expect(past.at(-1)!.time).toBeLessThan(clock.now());

    await rig.prisma.strategyInstance.updateMany({ data: { state: "paused" } });
    await rig.prisma.strategyInstance.create({
      data: { id: "warm-qqq", strategy: "golden-cross", label: "warm", symbols: ["QQQ"], parameters: { fast: 50, slow: 200, longOnly: false }, state: "running", barSeconds: 1 },
    });
    const directory = runner({ brokerFor: (instrument) => paperBroker(instrument, { clock, commission: perShareCommission() }), history: () => Promise.resolve(past) });
    const started = Date.now();
    await directory.start();
    await eventually(() => events.filter((event) => event.type === "decision" && event.symbol === "QQQ").length, (count) => count > 0, 15_000);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(events.filter((event) => event.type === "fill" && event.fill.symbol === "QQQ" && event.fill.time < past.at(-1)!.time)).toEqual([]);
    directory.stop();
  }, 40_000);

  it("keeps the last bars per symbol and the instance's fills for the chart, with indicator lines over the bars", async () => {
    await rig.prisma.strategyInstance.updateMany({ data: { state: "paused" } });
    await rig.prisma.strategyInstance.create({
      data: { id: "chart-nvda", strategy: "ma-cross", label: "chart", symbols: ["NVDA"], parameters: { fast: 2, slow: 3, longOnly: false }, state: "running", barSeconds: 1, riskPercent: 5, maxCyclesPerDay: 50 },
    });
    const historyEnd = Math.floor(clock.now() / 1_000) * 1_000 - 1_000;
    const past = Array.from({ length: CHART_BARS + 20 }, (_, i) => {
      const close = 120 + Math.sin(i / 7);
      return { time: historyEnd - (CHART_BARS + 19 - i) * 1_000, open: close - 0.05, high: close + 0.1, low: close - 0.1, close, volume: 100 + i };
    });
    const earlierEvents = events.length;
    const directory = runner({ brokerFor: (instrument) => paperBroker(instrument, { clock, commission: perShareCommission() }), history: () => Promise.resolve(past) });
    await directory.start();
    const fillsOf = () =>
      events.slice(earlierEvents).filter((event): event is Extract<DomainEvent, { type: "fill" }> => event.type === "fill" && event.fill.symbol === "NVDA");
    await eventually(async () => (await directory.chart("chart-nvda", "nvda"))!.bars.filter((bar) => bar.time > historyEnd).length, (live) => live >= 3, 20_000);
    await eventually(() => fillsOf().length, (count) => count >= 2, 20_000);
    const chart = (await directory.chart("chart-nvda", "nvda"))!;
    directory.stop();

    expect(chart.bars).toHaveLength(CHART_BARS);
    expect(chart.bars.at(-1)!.time).toBeGreaterThan(historyEnd);
    expect(chart.bars.every((bar, i) => i === 0 || bar.time > chart.bars[i - 1].time)).toBe(true);
    const inWindow = fillsOf().filter((event) => event.fill.time >= chart.bars[0].time);
    expect(chart.markers.map(({ side, price, quantity }) => ({ side, price, quantity }))).toEqual(
      inWindow.map(({ fill }) => ({ side: fill.side === "BUY" ? "buy" : "sell", price: fill.price, quantity: fill.quantity })),
    );
    for (const marker of chart.markers) expect(marker.time % 1_000).toBe(0);
    expect(chart.overlays.map((line) => line.name)).toEqual(["SMA 20", "EMA 50", "VWAP 20", "VWAP +2σ", "VWAP -2σ"]);
    for (const line of chart.overlays) expect(line.values).toHaveLength(CHART_BARS);
    const last20 = chart.bars.slice(-20).map((bar) => bar.close);
    expect(chart.overlays[0].values.at(-1)).toBeCloseTo(last20.reduce((sum, close) => sum + close, 0) / 20, 9);
    expect(chart.overlays[0].values[18]).toBeNull();
    expect(chart.overlays[3].values.at(-1)!).toBeGreaterThanOrEqual(chart.overlays[2].values.at(-1)!);
    expect(await directory.chart("chart-nvda", "AAPL")).toBeNull();
    expect(await directory.chart("no-such-instance", "NVDA")).toBeNull();
  }, 40_000);

  it("closes a held position and raises an alert when the symbol's market data fails", async () => {
    await rig.prisma.strategyInstance.updateMany({ data: { state: "paused" } });
    await rig.prisma.strategyInstance.create({
      data: { id: "held-jpm", strategy: "ma-cross", label: "held", symbols: ["JPM"], parameters: { fast: 2, slow: 3, longOnly: false }, state: "running", barSeconds: 1, riskPercent: 5 },
    });
    const directory = runner({ brokerFor: (instrument) => paperBroker(instrument, { clock, commission: perShareCommission() }) });
    await directory.start();
    await eventually(() => directory.holdings().find((holding) => holding.symbol === "JPM")?.position ?? 0, (position) => position !== 0, 30_000);
    rig.gateway.emit("marketDataError", "JPM", 354, "Requested market data is not subscribed");
    expect(events).toContainEqual(expect.objectContaining({ type: "error", message: expect.stringMatching(/^JPM: market data failed \(354: Requested market data is not subscribed\); position of -?\d+ closed$/) }));
    expect(events).toContainEqual(expect.objectContaining({ type: "decision", symbol: "JPM", intent: expect.objectContaining({ purpose: "exit", reason: expect.stringContaining("market data for JPM failed") }) }));
    directory.stop();
  }, 40_000);

  it("a decision replayed after a restart on the same database reaches the broker once: recorded pending, then sent, and refused the second time", async () => {
    const bar = { time: Math.floor(clock.now() / 60_000) * 60_000, open: 100, high: 101, low: 99, close: 100, volume: 1_000 };
    // Each call is one process: a fresh live broker and decision names, the same database and gateway.
    async function decideOnBar() {
      const names = new Map<number, string>();
      const live = new IbkrBroker({ gateway: rig.gateway, log, orderRefOf: (request) => orderRefOfDecision(names, request.parentId ?? request.id), decisions: new OrderDecisions(rig.prisma) });
      const seen: BrokerEvent[] = [];
      const engineBroker = namedBroker(live, "replay-check", "AAPL", names);
      engineBroker.onEvent((event) => seen.push(event));
      engineBroker.beforeBar!(bar);
      const orderId = engineBroker.nextOrderId();
      engineBroker.submit({ id: orderId, symbol: "AAPL", side: "BUY", quantity: 3, type: "MKT", timeInForce: "DAY", tag: "entry" });
      await live.settled();
      return { live, seen, orderId, orderRef: orderRefOfDecision(names, orderId) };
    }

    const first = await decideOnBar();
    expect(await rig.prisma.orderDecision.findUnique({ where: { orderRef: first.orderRef } })).toMatchObject({ status: "sent", orderId: first.orderId, symbol: "AAPL", side: "BUY" });
    await eventually(() => rig.simulator.ledger().orders.find((order) => order.orderId === first.orderId)?.status, (status) => status === "Filled");
    first.live.dispose();

    const replay = await decideOnBar();
    replay.live.dispose();
    expect(replay.orderRef).toBe(first.orderRef);
    expect(replay.orderId).not.toBe(first.orderId);
    expect(replay.seen).toEqual([
      { type: "status", update: { orderId: replay.orderId, status: "Inactive", filled: 0, remaining: 3, reason: expect.stringContaining(`already sent as order ${first.orderId}`) } },
    ]);
    expect(rig.simulator.ledger().orders.filter((order) => order.orderRef === first.orderRef).map((order) => order.orderId)).toEqual([first.orderId]);
  }, 30_000);

  it("a decision left pending by a crash is not sent again until the reconcile settles it; settled as not sent, it goes out once", async () => {
    const bar = { time: Math.floor(clock.now() / 60_000) * 60_000 - 60_000, open: 100, high: 101, low: 99, close: 100, volume: 1_000 };
    const decisions = new OrderDecisions(rig.prisma);
    const names = new Map<number, string>();
    const live = new IbkrBroker({ gateway: rig.gateway, log, orderRefOf: (request) => orderRefOfDecision(names, request.parentId ?? request.id), decisions });
    const seen: BrokerEvent[] = [];
    const decide = async () => {
      const engineBroker = namedBroker(live, "crash-check", "MSFT", names);
      engineBroker.onEvent((event) => seen.push(event));
      engineBroker.beforeBar!(bar);
      const orderId = engineBroker.nextOrderId();
      engineBroker.submit({ id: orderId, symbol: "MSFT", side: "SELL", quantity: 2, type: "MKT", timeInForce: "DAY", tag: "exit" });
      await live.settled();
      return orderId;
    };
    // The process that crashed wrote the decision and stopped before sending it.
    const decisionId = decisionNamer("crash-check", "MSFT");
    decisionId.prompt(`b${bar.time}`);
    const crashed = await decisions.begin({ decisionId: decisionId.next(), symbol: "MSFT", side: "SELL", quantity: 2 });

    const held = await decide();
    expect(seen).toContainEqual({ type: "status", update: expect.objectContaining({ orderId: held, status: "Inactive", reason: expect.stringContaining("still pending from an earlier run") }) });
    expect(rig.simulator.ledger().orders.filter((order) => order.orderRef === crashed.orderRef)).toEqual([]);

    expect(await decisions.resolvePending(new Map())).toMatchObject({ notSent: expect.arrayContaining([decisionIdOf(crashed.orderRef)]) });
    const sent = await decide();
    await eventually(() => rig.simulator.ledger().orders.filter((order) => order.orderRef === crashed.orderRef).map((order) => order.orderId), (ids) => ids.length === 1);
    expect(rig.simulator.ledger().orders.filter((order) => order.orderRef === crashed.orderRef).map((order) => order.orderId)).toEqual([sent]);
    expect(await rig.prisma.orderDecision.findUnique({ where: { orderRef: crashed.orderRef } })).toMatchObject({ status: "sent", orderId: sent });
    live.dispose();
  }, 30_000);

  it("an entry with a take-profit and a stop goes out as a limit bracket at the last price, children in one OCA group, sized by the risk to the stop", async () => {
    await rig.prisma.strategyInstance.updateMany({ data: { state: "paused" } });
    await rig.prisma.strategyInstance.create({
      data: {
        id: "rv-nvda",
        strategy: "rsi-vwap",
        label: "bracketed entries",
        symbols: ["NVDA"],
        parameters: { rsiPeriod: 2, oversold: 99.9, overbought: 100, vwapPeriod: 3, bandWidth: 0.0001, target: { percent: 2 }, longOnly: true },
        state: "running",
        barSeconds: 1,
        riskPercent: 0.5,
      },
    });
    const before = events.length;
    // Prints with sizes, swinging enough for the strategy's oversold signal (the simulator's prints carry no volume for VWAP).
    const prints = new Set<(tick: { symbol: string; time: number; price: number; size: number }) => void>();
    let step = 0;
    const feed = setInterval(() => {
      const price = Math.round((100 + 3 * Math.sin(step++ / 3)) * 100) / 100;
      for (const listener of prints) listener({ symbol: "NVDA", time: clock.now(), price, size: 100 });
    }, 100);
    const swinging = {
      subscribeBars: () => () => undefined,
      subscribeTicks: (_symbol: string, listener: (tick: { symbol: string; time: number; price: number; size: number }) => void) => {
        prints.add(listener);
        return () => prints.delete(listener);
      },
    };
    const directory = runner({ marketData: swinging, brackets: { preMarketBufferPercent: 0.1 } });
    await directory.start();
    const parent = await eventually(
      () => rig.simulator.ledger().orders.find((order) => order.orderRef.startsWith("k1:rv-nvda.") && order.parentId === 0),
      (found) => found !== undefined,
      30_000,
    );
    const children = await eventually(() => rig.simulator.ledger().orders.filter((order) => order.parentId === parent!.orderId), (found) => found.length === 2);
    directory.stop();
    clearInterval(feed);

    expect(parent).toMatchObject({ symbol: "NVDA", action: "BUY", orderType: "LMT", tif: "DAY" });
    const takeProfit = children.find((order) => order.orderType === "LMT")!;
    const stop = children.find((order) => order.orderType === "STP")!;
    for (const child of [takeProfit, stop]) expect(child).toMatchObject({ action: "SELL", tif: "GTC", ocaGroup: `bracket-${parent!.orderId}`, totalQuantity: parent!.totalQuantity });
    expect(takeProfit.lmtPrice!).toBeGreaterThan(parent!.lmtPrice!);
    expect(stop.auxPrice!).toBeLessThan(parent!.lmtPrice!);
    const entry = events.slice(before).find((event): event is Extract<DomainEvent, { type: "decision" }> => event.type === "decision" && event.symbol === "NVDA" && event.intent.purpose === "entry")!;
    expect(parent!.lmtPrice).toBeCloseTo(entry.intent.referencePrice, 2);
    // Sized from the unrounded stop; the ledger shows it on the tick grid, a cent away at most.
    const bySizing = riskSizedQuantity(defineInstrument({ symbol: "NVDA" }), { availableFunds: 100_000, riskPercent: 0.5, entryPrice: parent!.lmtPrice!, stopPrice: stop.auxPrice! });
    expect(Math.abs(parent!.totalQuantity - bySizing) / bySizing).toBeLessThan(0.01);
    expect(parent!.totalQuantity * parent!.lmtPrice!).toBeLessThan(100_000 * 0.6);
    expect(entry.intent.quantity).toBe(parent!.totalQuantity);
  }, 40_000);
});
