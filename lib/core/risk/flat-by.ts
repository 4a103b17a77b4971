import { z } from "zod";
import type { ExchangeCalendar } from "../calendar/calendar";
import { addDays } from "../calendar/calendar";
import { instantOf, isValidTimeZone, localDateKey } from "../time/zoned-time";

export const flatByScheduleSchema = z.object({
  enabled: z.boolean().default(true),
  localTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "localTime must be HH:MM on a 24-hour clock, e.g. 15:55"),
  timeZone: z.string().refine(isValidTimeZone, "timeZone must be an IANA zone such as America/New_York"),
  /** The exchange (MIC) whose trading days and early closes apply. */
  exchange: z.enum(["XNYS", "XNSE"], "exchange must be XNYS or XNSE"),
});

export type FlatBySchedule = z.infer<typeof flatByScheduleSchema>;

export const FLAT_BY_WARNING_MS = 5 * 60_000;

/** How far ahead a trigger is searched for; beyond it the calendar has no trading day. */
const SEARCH_DAYS = 15;

/**
 * The flatten instant on `day`, or null when the exchange does not trade that day. On an early
 * close the schedule keeps its distance to the close: 15:55 on a 16:00 exchange becomes 12:55
 * on a 13:00 early close.
 */
export function flatByOn(schedule: FlatBySchedule, calendar: ExchangeCalendar, day: string): number | null {
  const session = calendar.session(day);
  if (!session) return null;
  const target = instantAt(day, schedule.localTime, schedule.timeZone);
  if (!session.earlyClose) return target;
  const regularClose = instantAt(day, calendar.exchange.close, calendar.timeZone);
  return session.close - (regularClose - target);
}

/** The first flatten instant strictly after `now`, or null when disabled or none is known. */
export function nextFlatBy(schedule: FlatBySchedule, calendar: ExchangeCalendar, now: number): number | null {
  if (!schedule.enabled) return null;
  let day = addDays(localDateKey(now, calendar.timeZone), -1);
  try {
    for (let step = 0; step <= SEARCH_DAYS; step++, day = addDays(day, 1)) {
      const at = flatByOn(schedule, calendar, day);
      if (at !== null && at > now) return at;
    }
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  return null;
}

function instantAt(day: string, time: string, timeZone: string): number {
  const [year, month, date] = day.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  return instantOf({ year, month, day: date, hour, minute, second: 0 }, timeZone);
}
