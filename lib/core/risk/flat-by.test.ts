import { describe, expect, it } from "vitest";
import { exchangeCalendar } from "../calendar";
import { flatByScheduleSchema, nextFlatBy } from "./flat-by";

const nyse = exchangeCalendar("XNYS");
const nse = exchangeCalendar("XNSE");
const newYork = flatByScheduleSchema.parse({ localTime: "15:55", timeZone: "America/New_York", exchange: "XNYS" });
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe("nextFlatBy", () => {
  it("is 15:55 New York: 19:55Z in summer, 20:55Z in winter, across the March DST change", () => {
    // Friday 6 March 2026 (EST) -> next trigger that day; after it, Monday 9 March (EDT, DST began Sunday 8th).
    expect(iso(nextFlatBy(newYork, nyse, Date.parse("2026-03-06T15:00:00Z")))).toBe("2026-03-06T20:55:00.000Z");
    expect(iso(nextFlatBy(newYork, nyse, Date.parse("2026-03-06T21:00:00Z")))).toBe("2026-03-09T19:55:00.000Z");
  });

  it("skips an exchange holiday and a weekend", () => {
    // Thursday 2 April 2026 after the trigger; Friday 3 April is Good Friday.
    expect(iso(nextFlatBy(newYork, nyse, Date.parse("2026-04-02T20:00:00Z")))).toBe("2026-04-06T19:55:00.000Z");
  });

  it("keeps its distance to the close on an early close", () => {
    // Friday 27 November 2026 closes at 13:00: flatten at 12:55.
    expect(iso(nextFlatBy(newYork, nyse, Date.parse("2026-11-27T14:00:00Z")))).toBe("2026-11-27T17:55:00.000Z");
  });

  it("works for NSE at 15:28 Kolkata", () => {
    const mumbai = flatByScheduleSchema.parse({ localTime: "15:28", timeZone: "Asia/Kolkata", exchange: "XNSE" });
    expect(iso(nextFlatBy(mumbai, nse, Date.parse("2026-03-06T05:00:00Z")))).toBe("2026-03-06T09:58:00.000Z");
  });

  it("is null when disabled or beyond the calendar's covered years", () => {
    expect(nextFlatBy({ ...newYork, enabled: false }, nyse, Date.parse("2026-03-06T15:00:00Z"))).toBeNull();
    expect(nextFlatBy(newYork, nyse, Date.parse("2027-12-31T22:00:00Z"))).toBeNull();
  });

  it("validates the schedule with a readable message", () => {
    expect(() => flatByScheduleSchema.parse({ localTime: "3:55pm", timeZone: "Mars/Olympus", exchange: "XLON" })).toThrow(/localTime must be HH:MM/);
  });
});
