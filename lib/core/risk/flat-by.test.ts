import { describe, expect, it } from "vitest";
import { exchangeCalendar } from "../calendar";
import { flatByCatchUp, flatByScheduleSchema, nextFlatBy, previousFlatBy } from "./flat-by";

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

describe("previousFlatBy", () => {
  it("is the last trigger at or before now, on the exchange's trading days", () => {
    expect(iso(previousFlatBy(newYork, nyse, Date.parse("2026-03-06T20:55:00Z")))).toBe("2026-03-06T20:55:00.000Z");
    expect(iso(previousFlatBy(newYork, nyse, Date.parse("2026-03-06T20:54:59Z")))).toBe("2026-03-05T20:55:00.000Z");
    // Monday 6 April before the trigger: Good Friday had none, so Thursday 2 April's.
    expect(iso(previousFlatBy(newYork, nyse, Date.parse("2026-04-06T13:00:00Z")))).toBe("2026-04-02T19:55:00.000Z");
    expect(previousFlatBy({ ...newYork, enabled: false }, nyse, Date.parse("2026-03-06T21:00:00Z"))).toBeNull();
  });
});

describe("flatByCatchUp", () => {
  const holding = { positions: 2, workingOrders: 4 };
  const nothing = { positions: 0, workingOrders: 0 };
  const at = Date.parse;
  const thursdayActed = at("2026-03-05T20:55:00Z");

  it("does nothing when started before today's trigger and yesterday's was acted on", () => {
    expect(flatByCatchUp(newYork, nyse, at("2026-03-06T15:00:00Z"), thursdayActed, holding)).toEqual({ action: "none" });
  });

  it("catches up today's trigger when started after it with positions or working orders open", () => {
    const expected = { action: "catch-up", missedAt: at("2026-03-06T20:55:00Z") };
    expect(flatByCatchUp(newYork, nyse, at("2026-03-06T21:10:00Z"), thursdayActed, holding)).toEqual(expected);
    expect(flatByCatchUp(newYork, nyse, at("2026-03-06T21:10:00Z"), thursdayActed, { positions: 0, workingOrders: 1 })).toEqual(expected);
    // Started at the very instant: the timer's next trigger is tomorrow's, so this one is caught up.
    expect(flatByCatchUp(newYork, nyse, at("2026-03-06T20:55:00Z"), thursdayActed, holding)).toEqual(expected);
  });

  it("only marks the trigger done when nothing is open", () => {
    expect(flatByCatchUp(newYork, nyse, at("2026-03-06T21:10:00Z"), thursdayActed, nothing)).toEqual({ action: "mark-done", missedAt: at("2026-03-06T20:55:00Z") });
  });

  it("does not trigger again once the missed trigger is acted on", () => {
    expect(flatByCatchUp(newYork, nyse, at("2026-03-06T21:30:00Z"), at("2026-03-06T20:55:00Z"), holding)).toEqual({ action: "none" });
  });

  it("catches up Friday's trigger on Monday morning before Monday's, across the weekend and the DST change", () => {
    // Friday 6 March 15:55 EST (20:55Z) was missed; Monday 9 March 09:00 EDT is 13:00Z.
    expect(flatByCatchUp(newYork, nyse, at("2026-03-09T13:00:00Z"), thursdayActed, holding)).toEqual({ action: "catch-up", missedAt: at("2026-03-06T20:55:00Z") });
  });

  it("skips a holiday: the trigger before it is the one missed, and the holiday itself has none", () => {
    const wednesdayActed = at("2026-04-01T19:55:00Z");
    const thursdayAprilActed = at("2026-04-02T19:55:00Z");
    const mondayMorning = at("2026-04-06T13:00:00Z");
    expect(flatByCatchUp(newYork, nyse, mondayMorning, wednesdayActed, holding)).toEqual({ action: "catch-up", missedAt: thursdayAprilActed });
    expect(flatByCatchUp(newYork, nyse, mondayMorning, thursdayAprilActed, holding)).toEqual({ action: "none" });
  });

  it("uses the early close's trigger: 12:55 on the day after Thanksgiving, before the usual 15:55", () => {
    const wednesdayActed = at("2026-11-25T20:55:00Z");
    expect(flatByCatchUp(newYork, nyse, at("2026-11-27T18:30:00Z"), wednesdayActed, holding)).toEqual({ action: "catch-up", missedAt: at("2026-11-27T17:55:00Z") });
    expect(flatByCatchUp(newYork, nyse, at("2026-11-27T17:50:00Z"), wednesdayActed, holding)).toEqual({ action: "none" });
  });

  it("never reaches back before the schedule was saved, and does nothing when disabled", () => {
    expect(flatByCatchUp(newYork, nyse, at("2026-03-06T21:10:00Z"), at("2026-03-06T21:00:00Z"), holding)).toEqual({ action: "none" });
    expect(flatByCatchUp({ ...newYork, enabled: false }, nyse, at("2026-03-06T21:10:00Z"), thursdayActed, holding)).toEqual({ action: "none" });
  });

  it("works in Kolkata for NSE", () => {
    const mumbai = flatByScheduleSchema.parse({ localTime: "15:28", timeZone: "Asia/Kolkata", exchange: "XNSE" });
    // Friday 6 March 2026 15:28 IST is 09:58Z; started at 10:30Z with a position.
    expect(flatByCatchUp(mumbai, nse, at("2026-03-06T10:30:00Z"), at("2026-03-05T09:58:00Z"), holding)).toEqual({ action: "catch-up", missedAt: at("2026-03-06T09:58:00Z") });
  });
});
