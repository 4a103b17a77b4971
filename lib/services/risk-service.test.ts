import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { freshDatabase } from "@/test/db";
import { eventually } from "@/test/eventually";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { exchangeCalendar } from "@/lib/core/calendar";
import { listAudit, recordAudit } from "./audit";
import { createRiskStack, type RiskStack } from "./risk-service";
import { TradingState } from "./trading-state";
import { openPositions, seedBook, startRig, workingOrders, type Rig } from "./risk-test-support";

let database: ScratchDatabase;
let prisma: PrismaClient;
let rig: Rig | null = null;
let stack: RiskStack | null = null;
let account = 0;

beforeAll(async () => {
  database = await freshDatabase({ migrated: true });
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
});

afterEach(async () => {
  stack?.stop();
  stack = null;
  await rig?.stop();
  rig = null;
});

afterAll(async () => {
  await prisma?.$disconnect();
  await database?.drop();
});

const OWNER = { user: "owner", source: "web" as const, ip: "127.0.0.1" };
const audit = (event: Parameters<typeof recordAudit>[1]) => recordAudit(prisma, event).then(() => undefined);
const quiet = { warn: () => undefined, error: () => undefined, info: () => undefined };

async function riggedStack(now: () => number = Date.now, book: Record<string, number> = { AAPL: 100, MSFT: -50 }): Promise<{ rig: Rig; stack: RiskStack }> {
  rig = await startRig({ databaseUrl: database.url, now });
  await seedBook(rig.sim, { positions: book, brackets: true });
  stack = createRiskStack({ prisma, account: `acct-${++account}`, exchange: "XNYS", view: rig.engine.view, flatten: rig.engine.flattenService, now, audit, log: quiet });
  await stack.start();
  rig.engine.start();
  const engine = rig.engine;
  await eventually(() => engine.view.openPositions().length, (count) => count === Object.keys(book).length);
  return { rig, stack };
}

describe("trading state", () => {
  it("survives a restart and leaves HALTED only by a manual, audited resume", async () => {
    const now = () => Date.parse("2026-03-02T15:00:00Z");
    const first = new TradingState({ prisma, account: "restart", now });
    await first.load();
    await first.tighten("REDUCING", "guardian", "daily loss 2%");
    await first.tighten("HALTED", "owner", "manual halt");
    expect((await first.tighten("REDUCING", "guardian", "looser")).mode).toBe("HALTED");

    const afterRestart = new TradingState({ prisma, account: "restart", now });
    expect(await afterRestart.load()).toEqual({ mode: "HALTED", since: "2026-03-02T15:00:00.000Z", reason: "manual halt", changedBy: "owner" });

    const stackAfterRestart = createRiskStack({
      prisma,
      account: "restart",
      exchange: "XNYS",
      view: { on: () => undefined, off: () => undefined, snapshot: () => { throw new Error("unused"); } } as never,
      flatten: {} as never,
      now,
      audit,
      log: quiet,
    });
    await stackAfterRestart.state.load();
    expect(stackAfterRestart.controls.status().mode).toBe("HALTED");
    expect((await stackAfterRestart.controls.resume(OWNER)).mode).toBe("ACTIVE");
    expect((await new TradingState({ prisma, account: "restart", now }).load()).mode).toBe("ACTIVE");
    const rows = await eventually(() => listAudit(prisma, { limit: 10 }), (page) => page.rows.some((row) => row.action === "trading.resume"));
    expect(rows.rows.find((row) => row.action === "trading.resume")).toMatchObject({ actor: "owner", source: "web", ip: "127.0.0.1", details: { from: "HALTED", to: "ACTIVE" } });
  });

  it("a stricter mode holds at once even when the database is down, and is written once it is back", async () => {
    let down = true;
    const failing = {
      tradingState: {
        upsert: (args: Parameters<PrismaClient["tradingState"]["upsert"]>[0]) => (down ? Promise.reject(new Error("database down")) : prisma.tradingState.upsert(args)),
        findUnique: prisma.tradingState.findUnique.bind(prisma.tradingState),
      },
    } as unknown as Pick<PrismaClient, "tradingState">;
    const state = new TradingState({ prisma: failing, account: "outage", now: Date.now, persistRetryDelaysMs: [50, 50, 50, 50] });
    expect((await state.tighten("HALTED", "guardian", "loss")).mode).toBe("HALTED");
    expect(state.mode).toBe("HALTED");
    down = false;
    await eventually(() => prisma.tradingState.findUnique({ where: { account: "outage" } }), (row) => row?.mode === "HALTED");
    await expect(new TradingState({ prisma: failing, account: "outage", now: Date.now }).resume("owner")).resolves.toMatchObject({ mode: "ACTIVE" });
  });
});

describe("risk gate in the app", () => {
  it("persists every refusal and lists it in the overview", async () => {
    const { stack: current } = await riggedStack();
    await current.controls.reduceOnly(OWNER, "testing");
    const gate = current.risk.gate("momentum");
    const verdict = gate.check({ symbol: "AAPL", side: "BUY", quantity: 5, referencePrice: 190, purpose: "entry", reason: "breakout" }, { position: 100, equity: 1e6, cash: 1e6 });
    expect(verdict).toMatchObject({ approved: false, reason: "trading is REDUCING: BUY 5 AAPL would not reduce the position of 100" });
    const denials = await eventually(() => current.risk.recentDenials(5), (rows) => rows.length > 0);
    expect(denials[0]).toMatchObject({ symbol: "AAPL", strategy: "momentum", rule: "trading-state", reason: "trading is REDUCING: BUY 5 AAPL would not reduce the position of 100" });
    expect(current.risk.limits().map((usage) => usage.name)).toContain("Gross exposure");
  });
});

describe("guardian against the simulator", () => {
  it("trips on an unrealized loss: HALTED, flattened, audited as the guardian", async () => {
    const { rig: current, stack: risk } = await riggedStack(Date.now, { AAPL: 1_000 });
    await risk.risk.saveSettings({ limits: { maxConcentrationPct: 1_000, maxGrossExposurePct: 1_000, maxNetExposurePct: 1_000 }, guardian: { dailyLoss: { warnPct: 0.5, reducePct: 1, haltPct: 2 } } });
    await eventually(() => risk.guardian.view().openingEquity, (equity) => equity !== null);
    const opening = risk.guardian.view().openingEquity!;
    const lastPrice = current.sim.ledger().positions.find((position) => position.symbol === "AAPL")!.avgCost;
    // Lose 3% of the opening equity on paper: no fill, only the mark moves.
    current.sim.setPrice("AAPL", Math.round((lastPrice - (opening * 0.03) / 1_000) * 100) / 100);
    await eventually(() => risk.state.mode, (mode) => mode === "HALTED", 20_000);
    expect(risk.guardian.view().tier).toBe("halted");
    await eventually(() => openPositions(current.sim).length, (count) => count === 0, 30_000);
    expect(workingOrders(current.sim)).toBe(0);
    const page = await eventually(() => listAudit(prisma, { limit: 50 }), (rows) => rows.rows.some((row) => row.action === "guardian.flatten"));
    expect(page.rows.filter((row) => row.source === "guardian").map((row) => row.action)).toEqual(expect.arrayContaining(["guardian.halted", "guardian.flatten"]));
  }, 60_000);
});

describe("flat by time with an injected clock", () => {
  it("warns five minutes before, flattens at 15:55 New York, and re-arms across DST and a holiday", async () => {
    let clock = Date.parse("2026-03-06T20:45:00Z"); // Friday 15:45 EST
    const { rig: current, stack: risk } = await riggedStack(() => clock);
    const view = await risk.flatByTime.update({ enabled: true, localTime: "15:55", timeZone: "America/New_York", exchange: "XNYS" }, OWNER);
    expect(view.nextAt).toBe("2026-03-06T20:55:00.000Z");
    const warnings: string[] = [];
    risk.flatByTime.on("warning", (info) => warnings.push(info.at));
    await risk.flatByTime.poll();
    expect(warnings).toEqual([]);
    clock = Date.parse("2026-03-06T20:51:00Z");
    await risk.flatByTime.poll();
    expect(warnings).toEqual(["2026-03-06T20:55:00.000Z"]);
    expect(openPositions(current.sim)).toHaveLength(2);
    clock = Date.parse("2026-03-06T20:55:00Z");
    await risk.flatByTime.poll();
    expect(openPositions(current.sim)).toEqual([]);
    expect(workingOrders(current.sim)).toBe(0);
    // DST starts on Sunday 8 March: Monday's 15:55 EDT is 19:55Z.
    expect(risk.risk.flatByTime().nextAt).toBe("2026-03-09T19:55:00.000Z");

    // Thursday 2 April after the trigger: Good Friday is a holiday, so Monday 6 April is next.
    clock = Date.parse("2026-04-02T20:00:00Z");
    await risk.flatByTime.update({ enabled: true, localTime: "15:55", timeZone: "America/New_York", exchange: "XNYS" }, OWNER);
    expect(risk.risk.flatByTime().nextAt).toBe("2026-04-06T19:55:00.000Z");
    expect(exchangeCalendar("XNYS").isTradingDay("2026-04-03")).toBe(false);
    const audits = await eventually(() => listAudit(prisma, { limit: 50 }), (page) => page.rows.some((row) => row.action === "flat_by.trigger"));
    expect(audits.rows.find((row) => row.action === "flat_by.trigger")).toMatchObject({ source: "schedule", result: "flat" });
  }, 60_000);
});
