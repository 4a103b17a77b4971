import { afterEach, describe, expect, it } from "vitest";
import { scratchPrismaForSuite } from "@/test/db";
import { eventually } from "@/test/eventually";
import { listAudit, recordAudit, type AuditEvent } from "./audit";
import type { FlatByTimeEvents } from "./flat-by-time";
import { createRiskStack, type RiskStack } from "./risk-service";
import { openPositions, seedBook, startRig, workingOrders, type Rig } from "./risk-test-support";

const db = scratchPrismaForSuite();
let rig: Rig | null = null;
const stacks: RiskStack[] = [];
let account = 0;

afterEach(async () => {
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
