import { describe, expect, it } from "vitest";
import { scratchPrismaForSuite } from "@/test/db";
import { exchangeCalendar } from "@/lib/core/calendar";
import { guardianConfigSchema, parseRiskLimits } from "@/lib/core/risk";
import { AccountView } from "./account-view";
import { Guardian } from "./guardian";
import { guardianMarkStore } from "./risk-service";

const scratch = scratchPrismaForSuite();

const WEDNESDAY_NOON_NEW_YORK = Date.UTC(2026, 10, 18, 17, 0, 0);

function guardianOver(view: AccountView, tightened: string[]): Guardian {
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
