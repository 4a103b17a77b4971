import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { perShareCommission } from "@/lib/core/model/commission";
import { alwaysApprove } from "@/lib/core/engine/risk-gates";
import type { DomainEvent } from "@/lib/core/ports";
import { IbkrMarketData } from "@/lib/adapters/ibkr/market-data";
import { paperBroker } from "@/lib/adapters/paper/paper-broker";
import { scratchPrismaForSuite } from "@/test/db";
import { eventually } from "@/test/eventually";
import { listAudit, recordAudit, type AuditEvent } from "./audit";
import type { FlatByTimeEvents } from "./flat-by-time";
import { createRiskStack, type RiskStack } from "./risk-service";
import { openPositions, seedBook, startRig, workingOrders, type Rig } from "./risk-test-support";
import { StrategyRunner } from "./strategy-runner";

const db = scratchPrismaForSuite();
let rig: Rig | null = null;
const stacks: RiskStack[] = [];
let account = 0;

const cleanups: (() => void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  for (const stack of stacks.splice(0)) stack.stop();
  await rig?.stop();
  rig = null;
});

const quiet = { warn: () => undefined, error: () => undefined, info: () => undefined };
const NEW_YORK_1555 = { enabled: true, localTime: "15:55", timeZone: "America/New_York", exchange: "XNYS" };
const THURSDAY_TRIGGER = new Date("2026-03-05T20:55:00Z"); // 15:55 EST
const FRIDAY_TRIGGER = "2026-03-06T20:55:00.000Z";

/** A schedule saved by an earlier run, which last acted on `lastActedAt`. */
async function storedSchedule(lastActedAt: Date): Promise<string> {
  const id = `acct-${++account}`;
  await db.prisma.flatBySchedule.create({ data: { id, account: id, strategy: null, ...NEW_YORK_1555, lastActedAt } });
  return id;
}

async function brokerWithBook(now: () => number, book: Record<string, number>): Promise<Rig> {
  rig = await startRig({ databaseUrl: db.url, now });
  if (Object.keys(book).length > 0) await seedBook(rig.sim, { positions: book, brackets: true });
  return rig;
}

/** The risk stack of a (re)started process: loads the schedules, then the engine connects and reconciles. */
async function startStack(current: Rig, id: string, now: () => number, missed: FlatByTimeEvents["missed"][0][] = [], audits: AuditEvent[] = []): Promise<RiskStack> {
  const audit = async (event: AuditEvent) => {
    audits.push(event);
    await recordAudit(db.prisma, event);
  };
  const stack = createRiskStack({
    prisma: db.prisma,
    account: id,
    exchange: "XNYS",
    view: current.engine.view,
    flatten: current.engine.flattenService,
    now,
    audit,
    log: quiet,
    onReconciled: (listener) => current.engine.onReconciled(listener),
  });
  stacks.push(stack);
  stack.flatByTime.on("missed", (info) => missed.push(info));
  await stack.start();
  return stack;
}

const lastActedAt = async (id: string) => (await db.prisma.flatBySchedule.findUniqueOrThrow({ where: { id } })).lastActedAt?.toISOString();
const ofAction = (audits: readonly AuditEvent[], action: string) => audits.filter((event) => event.action === action);

describe("flat by time after downtime", () => {
  it("catches up today's trigger missed while down once the broker is reconciled, audits it as a catch-up, and does not act on it again", async () => {
    const clock = Date.parse("2026-03-06T21:10:00Z"); // Friday 16:10 New York: 15:55 passed while down
    const id = await storedSchedule(THURSDAY_TRIGGER);
    const current = await brokerWithBook(() => clock, { AAPL: 100, MSFT: -50 });
    const missed: FlatByTimeEvents["missed"][0][] = [];
    const audits: AuditEvent[] = [];
    await startStack(current, id, () => clock, missed, audits);
    expect(openPositions(current.sim)).toHaveLength(2);
    current.engine.start();

    await eventually(() => openPositions(current.sim), (positions) => positions.length === 0, 30_000);
    expect(workingOrders(current.sim)).toBe(0);
    expect(missed).toEqual([{ strategy: null, missedAt: FRIDAY_TRIGGER, action: "catch-up" }]);
    await eventually(() => lastActedAt(id), (acted) => acted === FRIDAY_TRIGGER);
    const [catchUp] = await eventually(() => ofAction(audits, "flat_by.catch_up"), (rows) => rows.length === 1);
    expect(catchUp).toMatchObject({ actor: "flat-by-time", source: "schedule", result: "flat" });
    expect(catchUp.details).toMatchObject({ scheduledFor: FRIDAY_TRIGGER, catchUp: expect.stringContaining("missed while Kestrel was down"), remaining: [] });
    expect(ofAction(audits, "flat_by.trigger")).toEqual([]);
    const stored = await eventually(() => listAudit(db.prisma, { limit: 200 }), (page) => page.rows.some((row) => row.action === "flat_by.catch_up"));
    expect(stored.rows.find((row) => row.action === "flat_by.catch_up")?.details).toMatchObject({ scheduledFor: FRIDAY_TRIGGER });

    // Positions opened after the catch-up, then another restart the same evening: nothing is flattened again.
    await seedBook(current.sim, { positions: { NVDA: 10 } });
    const missedAgain: FlatByTimeEvents["missed"][0][] = [];
    const restarted = await startStack(current, id, () => clock, missedAgain, audits);
    await restarted.flatByTime.catchUp();
    expect(missedAgain).toEqual([]);
    expect(ofAction(audits, "flat_by.catch_up")).toHaveLength(1);
    expect(openPositions(current.sim)).toEqual([{ symbol: "NVDA", qty: 10 }]);
    expect(restarted.flatByTime.view().nextAt).toBe("2026-03-09T19:55:00.000Z");
  }, 90_000);

  it("only marks a missed trigger done when nothing is open, without sending an order", async () => {
    const clock = Date.parse("2026-03-06T21:10:00Z");
    const id = await storedSchedule(THURSDAY_TRIGGER);
    const current = await brokerWithBook(() => clock, {});
    const missed: FlatByTimeEvents["missed"][0][] = [];
    const audits: AuditEvent[] = [];
    await startStack(current, id, () => clock, missed, audits);
    current.engine.start();

    await eventually(() => missed, (events) => events.length === 1);
    expect(missed).toEqual([{ strategy: null, missedAt: FRIDAY_TRIGGER, action: "mark-done" }]);
    await eventually(() => lastActedAt(id), (acted) => acted === FRIDAY_TRIGGER);
    expect(current.sim.ledger().orders).toEqual([]);
    expect(ofAction(audits, "flat_by.catch_up")).toEqual([]);
  }, 60_000);

  it("on Monday morning flattens what was held over the weekend since Friday's missed trigger, then fires Monday's on time", async () => {
    let clock = Date.parse("2026-03-09T13:00:00Z"); // Monday 09:00 EDT, DST began Sunday
    const id = await storedSchedule(THURSDAY_TRIGGER);
    const current = await brokerWithBook(() => clock, { AAPL: 100 });
    const missed: FlatByTimeEvents["missed"][0][] = [];
    const audits: AuditEvent[] = [];
    const stack = await startStack(current, id, () => clock, missed, audits);
    current.engine.start();

    await eventually(() => openPositions(current.sim), (positions) => positions.length === 0, 30_000);
    expect(missed).toEqual([{ strategy: null, missedAt: FRIDAY_TRIGGER, action: "catch-up" }]);
    await eventually(() => lastActedAt(id), (acted) => acted === FRIDAY_TRIGGER);
    expect(stack.flatByTime.view().nextAt).toBe("2026-03-09T19:55:00.000Z");

    await eventually(() => current.engine.flattenInProgress, (busy) => !busy);
    await seedBook(current.sim, { positions: { MSFT: -20 } });
    await eventually(() => current.engine.view.openPositions().length, (count) => count === 1);
    clock = Date.parse("2026-03-09T19:55:00Z");
    await stack.flatByTime.poll();
    expect(openPositions(current.sim)).toEqual([]);
    await eventually(() => lastActedAt(id), (acted) => acted === "2026-03-09T19:55:00.000Z");
    expect(ofAction(audits, "flat_by.catch_up")).toHaveLength(1);
    const [trigger] = await eventually(() => ofAction(audits, "flat_by.trigger"), (rows) => rows.length === 1);
    expect(trigger.details).toMatchObject({ scheduledFor: "2026-03-09T19:55:00.000Z" });
    expect(trigger.details).not.toHaveProperty("catchUp");
  }, 90_000);

  it("started before the trigger with yesterday's acted on: leaves the positions alone until the time", async () => {
    const clock = Date.parse("2026-03-06T15:00:00Z"); // Friday 10:00 New York
    const id = await storedSchedule(THURSDAY_TRIGGER);
    const current = await brokerWithBook(() => clock, { TSLA: 5 });
    const stack = await startStack(current, id, () => clock);
    const reconciled = new Promise((resolve) => current.engine.onReconciled(resolve));
    current.engine.start();
    await reconciled;
    await stack.flatByTime.catchUp();
    expect(openPositions(current.sim)).toEqual([{ symbol: "TSLA", qty: 5 }]);
    expect(await lastActedAt(id)).toBe(THURSDAY_TRIGGER.toISOString());
    expect(stack.flatByTime.view().nextAt).toBe(FRIDAY_TRIGGER);
  }, 60_000);
});

describe("flat by time for one strategy instance", () => {
  it("warns, then cancels the instance's orders and closes only its positions: the other instance and the account's own positions stay", async () => {
    let clock = Date.parse("2026-03-06T20:45:00Z"); // Friday 15:45 New York
    const current = await brokerWithBook(() => clock, { AAPL: 100 });
    const id = `acct-${++account}`;
    const audits: AuditEvent[] = [];
    const stack = await startStack(current, id, () => clock, [], audits);
    current.engine.start();
    await eventually(() => current.engine.view.openPositions().length, (count) => count === 1);

    // Both instances trade on Kestrel's paper broker at the simulator's live prices, inside the session.
    const startedAt = Date.now();
    const sessionClock = { now: () => Date.parse("2026-03-06T17:00:00Z") + (Date.now() - startedAt) };
    const marketData = new IbkrMarketData(current.engine.client, sessionClock);
    const events: DomainEvent[] = [];
    const runner = new StrategyRunner({
      prisma: db.prisma,
      marketData,
      brokerFor: (instrument) => paperBroker(instrument, { clock: sessionClock, commission: perShareCommission() }),
      risk: alwaysApprove,
      events: { emit: (event) => events.push(event) },
      clock: sessionClock,
      availableFunds: () => 100_000,
      log: pino({ level: "silent" }),
    });
    cleanups.push(() => runner.stop(), () => marketData.dispose());
    const instance = (instanceId: string, symbol: string) => ({ id: instanceId, strategy: "ma-cross", label: instanceId, symbols: [symbol], parameters: { fast: 2, slow: 3, longOnly: false }, state: "running", barSeconds: 1, riskPercent: 5, maxCyclesPerDay: 100 });
    await db.prisma.strategyInstance.createMany({ data: [instance("flat-jpm", "JPM"), instance("keep-meta", "META")] });
    await runner.start();
    stack.flatByTime.attachStrategies(runner);
    const held = (instanceId: string) => runner.holdings().find((holding) => holding.instance === instanceId)?.position ?? 0;
    await eventually(() => [held("flat-jpm"), held("keep-meta")], (positions) => positions.every((position) => position !== 0), 45_000);

    await stack.flatByTime.update({ ...NEW_YORK_1555, localTime: "15:50", strategy: "flat-jpm" }, { user: "owner", source: "web" });
    const warnings: FlatByTimeEvents["warning"][0][] = [];
    stack.flatByTime.on("warning", (info) => warnings.push(info));
    await stack.flatByTime.poll();
    expect(warnings).toEqual([{ at: "2026-03-06T20:50:00.000Z", inMs: 5 * 60_000, strategy: "flat-jpm" }]);

    clock = Date.parse("2026-03-06T20:50:00Z");
    const flattened: FlatByTimeEvents["strategyFlattened"][0][] = [];
    stack.flatByTime.on("strategyFlattened", (result) => flattened.push(result));
    // The strategy keeps deciding between the close and the check, so the close is judged by its own reason.
    await stack.flatByTime.poll();
    expect(flattened).toHaveLength(1);
    expect(flattened[0]).toMatchObject({ strategy: "flat-jpm", closed: [{ symbol: "JPM", quantity: expect.any(Number) }] });
    const exits = events.filter((event): event is Extract<DomainEvent, { type: "decision" }> => event.type === "decision" && event.intent.reason.startsWith("flat by 15:50"));
    expect(exits.map((event) => [event.symbol, event.intent.purpose])).toEqual([["JPM", "exit"]]);
    expect(openPositions(current.sim)).toEqual([{ symbol: "AAPL", qty: 100 }]);
    expect(ofAction(audits, "flat_by.trigger")).toEqual([expect.objectContaining({ result: flattened[0].status, details: expect.objectContaining({ strategy: "flat-jpm", scheduledFor: "2026-03-06T20:50:00.000Z" }) })]);
    const row = await db.prisma.flatBySchedule.findUniqueOrThrow({ where: { id: `${id}/flat-jpm` } });
    expect(row).toMatchObject({ account: id, strategy: "flat-jpm", localTime: "15:50" });
    await eventually(() => lastActedAt(`${id}/flat-jpm`), (acted) => acted === "2026-03-06T20:50:00.000Z");
    expect(stack.flatByTime.view()).toMatchObject({ strategy: null, enabled: false, strategies: [{ strategy: "flat-jpm", nextAt: "2026-03-09T19:50:00.000Z" }] });
  }, 120_000);
});
