import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { instantOf, localDateKey, offsetMs, wallTimeAsUtcMs, wallTimeAt } from "./zoned-time";

/** The offset read straight off the zone's clock, second by second, without any cache. */
const offsetReadOff = (epochMs: number, timeZone: string) => {
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  return wallTimeAsUtcMs(wallTimeAt(wholeSecond, timeZone)) - wholeSecond;
};
const ZONES = ["America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns", "UTC"];

describe("zoned time", () => {
  it("gives the zone's own offset at any second, around transitions and in local-mean-time eras too", () => {
    const instant = fc.integer({ min: Date.UTC(1850, 0, 1), max: Date.UTC(2040, 0, 1) });
    fc.assert(
      fc.property(instant, fc.constantFrom(...ZONES), (epochMs, zone) => {
        expect(offsetMs(epochMs, zone)).toBe(offsetReadOff(epochMs, zone));
      }),
      { numRuns: 3_000 },
    );
    // Each second around New York's 2024 changes and Lord Howe's half-hour shift.
    for (const [zone, change] of [["America/New_York", Date.UTC(2024, 2, 10, 7)], ["America/New_York", Date.UTC(2024, 10, 3, 6)], ["Australia/Lord_Howe", Date.UTC(2024, 3, 6, 15)]] as const) {
      for (let at = change - 20 * 60_000; at <= change + 20 * 60_000; at += 1000) expect(offsetMs(at, zone)).toBe(offsetReadOff(at, zone));
    }
  });

  it("reads New York wall time in winter and summer", () => {
    expect(wallTimeAt(Date.UTC(2024, 0, 15, 14, 30), "America/New_York")).toMatchObject({ hour: 9, minute: 30 });
    expect(wallTimeAt(Date.UTC(2024, 6, 15, 13, 30), "America/New_York")).toMatchObject({ hour: 9, minute: 30 });
  });

  it("finds the instant of a wall time on both sides of a DST change", () => {
    const beforeChange = { year: 2024, month: 3, day: 8, hour: 15, minute: 55, second: 0 };
    const afterChange = { year: 2024, month: 3, day: 11, hour: 15, minute: 55, second: 0 };
    expect(new Date(instantOf(beforeChange, "America/New_York")).toISOString()).toBe("2024-03-08T20:55:00.000Z");
    expect(new Date(instantOf(afterChange, "America/New_York")).toISOString()).toBe("2024-03-11T19:55:00.000Z");
  });

  it("uses the later offset for a wall time inside the spring-forward gap", () => {
    const inGap = { year: 2024, month: 3, day: 10, hour: 2, minute: 30, second: 0 };
    const instant = instantOf(inGap, "America/New_York");
    expect(wallTimeAt(instant, "America/New_York").hour).toBe(3);
  });

  it("picks the earlier instant inside the fall-back overlap", () => {
    const ambiguous = { year: 2024, month: 11, day: 3, hour: 1, minute: 30, second: 0 };
    expect(new Date(instantOf(ambiguous, "America/New_York")).toISOString()).toBe("2024-11-03T05:30:00.000Z");
  });

  it("handles zones with half-hour offsets and no DST", () => {
    expect(offsetMs(Date.UTC(2024, 0, 1), "Asia/Kolkata")).toBe(5.5 * 3_600_000);
    expect(localDateKey(Date.UTC(2024, 0, 1, 20, 0), "Asia/Kolkata")).toBe("2024-01-02");
  });
});
