import { describe, expect, it } from "vitest";
import { instantOf, localDateKey, offsetMs, wallTimeAt } from "./zoned-time";

describe("zoned time", () => {
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
