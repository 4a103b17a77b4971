import { describe, expect, it } from "vitest";
import { scratchPrismaForSuite } from "@/test/db";
import { exchangeCalendar } from "@/lib/core/calendar";
import { guardianConfigSchema, parseRiskLimits } from "@/lib/core/risk";
import { AccountView } from "./account-view";
import { Guardian, type GuardianOptions } from "./guardian";
import { guardianMarkStore } from "./risk-service";

const scratch = scratchPrismaForSuite();

const WEDNESDAY_NOON_NEW_YORK = Date.UTC(2026, 10, 18, 17, 0, 0);

function guardianOver(view: AccountView, tightened: string[], overrides: Partial<GuardianOptions> = {}): Guardian {
  return new Guardian({
    view,
    state: { tighten: async (mode: string) => void tightened.push(mode) } as never,
    flattenAll: async () => {
      throw new Error("flatten is not expected in this test");
    },
    config: () => guardianConfigSchema.parse({}),
    limits: () => parseRiskLimits({}),
    calendar: exchangeCalendar("XNYS"),
    now: () => WEDNESDAY_NOON_NEW_YORK,
    audit: async () => undefined,
    marks: guardianMarkStore(scratch.prisma, "DU1234567"),
    confirmMs: 0,
    ...overrides,
  });
}

function accountWithCash(cash: number): AccountView {
  const view = new AccountView(() => true);
  view.applyAccountValue("TotalCashValue", String(cash), "USD", "DU1234567");
  return view;
}

describe("the guardian across a restart", () => {
  it("keeps measuring the day from the session's opening equity and peak, and does not repeat a tier", async () => {
    const tightened: string[] = [];
    const first = guardianOver(accountWithCash(100_000), tightened);
    expect(first.evaluate()?.level).toBe("normal");
    await expect.poll(async () => (await guardianMarkStore(scratch.prisma, "DU1234567").load("2026-11-18"))?.openingEquity).toBe(100_000);
    const later = accountWithCash(102_000);
    const again = guardianOver(later, tightened);
    await again.restore();
    again.evaluate();
    await expect.poll(async () => (await guardianMarkStore(scratch.prisma, "DU1234567").load("2026-11-18"))?.peakEquity).toBe(102_000);

    // After a restart the loss of 1.5% is measured from the opening 100,000 (not from 98,500) and
    // the 3.4% drawdown from the 102,000 peak: REDUCING, once.
    const restarted = guardianOver(accountWithCash(98_500), tightened);
    await restarted.restore();
    expect(restarted.view().openingEquity).toBe(100_000);
    const assessment = restarted.evaluate();
    expect(assessment?.dayPnl).toBe(-1_500);
    expect(restarted.view().tier).toBe("reducing");
    expect(tightened).toEqual(["REDUCING"]);
    await expect.poll(async () => (await guardianMarkStore(scratch.prisma, "DU1234567").load("2026-11-18"))?.level).toBe("reducing");
    const afterSecondRestart = guardianOver(accountWithCash(98_500), tightened);
    await afterSecondRestart.restore();
    const before = tightened.length;
    afterSecondRestart.evaluate();
    expect(tightened.length).toBe(before);
  });
});

/** 80,000 cash and 20 AAPL at 200: equity 84,000, of which the position is 4.8%. */
function accountHoldingAapl(): AccountView {
  const view = accountWithCash(80_000);
  view.applyPosition({ account: "DU1234567", symbol: "AAPL", conId: 265598, currency: "USD", quantity: 20, avgCost: 200 });
  view.applyQuote({ symbol: "AAPL", bid: 199.99, ask: 200.01, last: 200, volume: 1_000 });
  return view;
}

describe("the guardian acts only on a breach that holds", () => {
  it("ignores a sold position seen before the cash it raised", () => {
    const tightened: string[] = [];
    let now = WEDNESDAY_NOON_NEW_YORK;
    const view = accountHoldingAapl();
    const guardian = guardianOver(view, tightened, { confirmMs: 5_000, now: () => now, marks: undefined });
    guardian.start();
    expect(guardian.evaluate()?.level).toBe("normal");

    // The sale's position update lands first: for a moment equity looks 4,000 (4.8%) lower.
    view.applyPosition({ account: "DU1234567", symbol: "AAPL", conId: 265598, currency: "USD", quantity: 0, avgCost: 0 });
    expect(guardian.view().dayPnl).toBe(-4_000);
    now += 1_000;
    view.applyAccountValue("TotalCashValue", "84000", "USD", "DU1234567");
    now += 10_000;
    expect(guardian.evaluate()?.level).toBe("normal");
    guardian.stop();
    expect(tightened).toEqual([]);
    expect(guardian.view().tier).toBe("normal");
  });

  it("halts once the loss has held for the confirmation time", () => {
    const tightened: string[] = [];
    let now = WEDNESDAY_NOON_NEW_YORK;
    const view = accountHoldingAapl();
    const flattens: string[] = [];
    const guardian = guardianOver(view, tightened, {
      confirmMs: 5_000,
      now: () => now,
      marks: undefined,
      flattenAll: async (request) => {
        flattens.push(request.actor);
        return { id: "f1", status: "flat", remaining: [] } as never;
      },
    });
    guardian.start();
    guardian.evaluate();
    view.applyQuote({ symbol: "AAPL", bid: 0, ask: 0.02, last: 0.01, volume: 1_000 });
    now += 4_999;
    guardian.evaluate();
    expect(guardian.view().tier).toBe("normal");
    now += 1;
    guardian.evaluate();
    guardian.stop();
    expect(guardian.view().tier).toBe("halted");
    expect(tightened[0]).toBe("HALTED");
  });

  it("re-checks by itself when no new event arrives", async () => {
    const tightened: string[] = [];
    const startedAt = Date.now();
    const view = accountHoldingAapl();
    const guardian = guardianOver(view, tightened, { confirmMs: 50, now: () => WEDNESDAY_NOON_NEW_YORK + (Date.now() - startedAt), marks: undefined });
    guardian.start();
    guardian.evaluate();
    view.applyQuote({ symbol: "AAPL", bid: 99.99, ask: 100.01, last: 100, volume: 1_000 });
    expect(guardian.view().tier).toBe("normal");
    await expect.poll(() => guardian.view().tier, { timeout: 2_000 }).toBe("reducing");
    guardian.stop();
    expect(tightened).toEqual(["REDUCING"]);
  });
});
