import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CalendarCoverageError, addDays, exchangeCalendar, isDayKey } from "./calendar";

const nyse = exchangeCalendar("XNYS");
const nse = exchangeCalendar("XNSE");
const iso = (instant: number) => new Date(instant).toISOString();

describe("NYSE calendar", () => {
  it("closes on weekends and on the published holidays, including observed ones", () => {
    expect(nyse.isTradingDay("2026-11-21")).toBe(false); // Saturday
    expect(nyse.isTradingDay("2026-11-22")).toBe(false); // Sunday
    expect(nyse.isTradingDay("2026-11-23")).toBe(true);
    expect(nyse.isTradingDay("2026-11-26")).toBe(false); // Thanksgiving
    expect(nyse.isTradingDay("2026-07-03")).toBe(false); // July 4 observed on Friday
    expect(nyse.isTradingDay("2027-12-24")).toBe(false); // Christmas observed on Friday
    expect(nyse.isTradingDay("2027-12-31")).toBe(true); // New Year 2028 on a Saturday is not observed
    expect(nyse.isTradingDay("2025-01-09")).toBe(false); // day of mourning
    expect(nyse.isTradingDay("2024-03-29")).toBe(false); // Good Friday
  });

  it("opens at 09:30 and closes at 16:00 New York time on both sides of DST", () => {
    expect(iso(nyse.sessionOpen("2026-03-06"))).toBe("2026-03-06T14:30:00.000Z"); // EST
    expect(iso(nyse.sessionOpen("2026-03-09"))).toBe("2026-03-09T13:30:00.000Z"); // EDT from March 8
    expect(iso(nyse.sessionClose("2026-10-30"))).toBe("2026-10-30T20:00:00.000Z");
    expect(iso(nyse.sessionClose("2026-11-02"))).toBe("2026-11-02T21:00:00.000Z"); // EST from November 1
  });

  it("closes at 13:00 on early-close days", () => {
    const session = nyse.session("2026-11-27");
    expect(session?.earlyClose).toBe(true);
    expect(iso(session!.close)).toBe("2026-11-27T18:00:00.000Z");
    expect(nyse.session("2026-11-25")?.earlyClose).toBe(false);
  });

  it("steps over weekends and holidays", () => {
    expect(nyse.nextTradingDay("2026-11-25")).toBe("2026-11-27");
    expect(nyse.previousTradingDay("2026-11-30")).toBe("2026-11-27");
    expect(nyse.previousTradingDay("2026-01-20")).toBe("2026-01-16"); // over MLK day and a weekend
    expect(nyse.nextTradingDay("2026-12-24")).toBe("2026-12-28");
  });

  it("assigns an instant to the trading day of its New York date, not its UTC date", () => {
    // 21:30 New York on Monday is already Tuesday in UTC.
    expect(nyse.tradingDayOf(Date.parse("2026-11-24T02:30:00Z"))).toBe("2026-11-23");
    // Saturday and Thanksgiving roll forward to the next session.
    expect(nyse.tradingDayOf(Date.parse("2026-11-21T15:00:00Z"))).toBe("2026-11-23");
    expect(nyse.tradingDayOf(Date.parse("2026-11-26T15:00:00Z"))).toBe("2026-11-27");
  });

  it("a trading day's window holds exactly the instants that map to it", () => {
    const window = nyse.tradingDayWindow("2026-11-23");
    expect(iso(window.start)).toBe("2026-11-21T05:00:00.000Z"); // Saturday 00:00 New York
    expect(iso(window.end)).toBe("2026-11-24T05:00:00.000Z");
    const start = Date.parse("2026-01-01T00:00:00Z");
    const end = Date.parse("2027-12-31T00:00:00Z");
    fc.assert(
      fc.property(fc.integer({ min: start, max: end }), (instant) => {
        const day = nyse.tradingDayOf(instant);
        const { start: from, end: to } = nyse.tradingDayWindow(day);
        return instant >= from && instant < to && nyse.isTradingDay(day);
      }),
    );
  });

  it("finds the next close and the last closed session around an instant", () => {
    expect(nyse.nextSessionClose(Date.parse("2026-11-25T21:00:00Z")).day).toBe("2026-11-27"); // Wed after close
    expect(nyse.nextSessionClose(Date.parse("2026-11-25T20:59:59Z")).day).toBe("2026-11-25");
    expect(nyse.lastClosedSession(Date.parse("2026-11-21T12:00:00Z")).day).toBe("2026-11-20");
    expect(nyse.lastClosedSession(Date.parse("2026-11-20T21:00:00Z")).day).toBe("2026-11-20");
    expect(nyse.isOpenAt(Date.parse("2026-11-20T14:30:00Z"))).toBe(true);
    expect(nyse.isOpenAt(Date.parse("2026-11-20T21:00:00Z"))).toBe(false);
  });

  it("counts 2026's trading days: 261 weekdays less 10 holidays", () => {
    expect(nyse.tradingDaysBetween("2026-01-01", "2026-12-31")).toHaveLength(251);
  });

  it("refuses days outside the covered years and malformed dates", () => {
    expect(() => nyse.isTradingDay("2028-01-03")).toThrow(CalendarCoverageError);
    expect(() => nyse.isTradingDay("2026-02-30")).toThrow(/not a calendar date/);
    expect(() => nyse.sessionOpen("2026-11-21")).toThrow(/not a XNYS trading day/);
    expect(() => exchangeCalendar("XLON")).toThrow(/unknown exchange "XLON"/);
  });
});

describe("NSE calendar", () => {
  it("trades 09:15-15:30 India time, with no daylight saving time", () => {
    expect(iso(nse.sessionOpen("2026-01-05"))).toBe("2026-01-05T03:45:00.000Z");
    expect(iso(nse.sessionClose("2026-07-06"))).toBe("2026-07-06T10:00:00.000Z");
  });

  it("closes on its own holidays, which differ from New York's", () => {
    expect(nse.isTradingDay("2026-01-26")).toBe(false); // Republic Day
    expect(nyse.isTradingDay("2026-01-26")).toBe(true);
    expect(nse.isTradingDay("2026-11-26")).toBe(true); // US Thanksgiving
    expect(nse.tradingDayOf(Date.parse("2026-01-25T20:00:00Z"))).toBe("2026-01-27"); // Monday 01:30 IST is Republic Day
  });
});

describe("day keys", () => {
  it("accepts real dates only and adds days across months and leap years", () => {
    expect(isDayKey("2024-02-29")).toBe(true);
    expect(isDayKey("2025-02-29")).toBe(false);
    expect(isDayKey("2026-1-05")).toBe(false);
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });
});
