import { z } from "zod";
import type { ExchangeCalendar } from "../calendar/calendar";
import { addDays } from "../calendar/calendar";
import { instantOf, isValidTimeZone, localDateKey } from "../time/zoned-time";
import { LOCAL_TIME_PATTERN } from "./limits";

export const flatByScheduleSchema = z.object({
  enabled: z.boolean().default(true),
  localTime: z.string().regex(LOCAL_TIME_PATTERN, "localTime must be HH:MM on a 24-hour clock, e.g. 15:55"),
  timeZone: z.string().refine(isValidTimeZone, "timeZone must be an IANA zone such as America/New_York"),
  /** The exchange (MIC) whose trading days and early closes apply. */
  exchange: z.enum(["XNYS", "XNSE"], "exchange must be XNYS or XNSE"),
  /** A strategy instance's id: only its orders and positions are flattened. Absent or null: the whole account. */
  strategy: z.string().trim().min(1, "strategy must name a strategy instance").max(100).nullish(),
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

/** The last flatten instant at or before `now`, or null when disabled or none is known. */
export function previousFlatBy(schedule: FlatBySchedule, calendar: ExchangeCalendar, now: number): number | null {
  if (!schedule.enabled) return null;
  let day = addDays(localDateKey(now, calendar.timeZone), 1);
  try {
    for (let step = 0; step <= SEARCH_DAYS; step++, day = addDays(day, -1)) {
      const at = flatByOn(schedule, calendar, day);
      if (at !== null && at <= now) return at;
    }
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  return null;
}

/** What a schedule's owner holds right now: positions and working orders in its scope. */
export interface FlatByExposure {
  readonly positions: number;
  readonly workingOrders: number;
}

/** `missedAt`: the trigger that passed unacted. */
export type FlatByCatchUp = { readonly action: "none" } | { readonly action: "catch-up" | "mark-done"; readonly missedAt: number };

/**
 * After a start (or a reconnect), what to do about a trigger that passed unacted:
 * - `none`: every trigger up to now was acted on (or the schedule is off);
 * - `catch-up`: the last trigger passed while nobody was watching and something is still open: flatten now;
 * - `mark-done`: it passed but nothing is open: only remember it as acted on.
 * `settledThrough` is the instant up to which triggers count as acted on (the last one acted on,
 * or when the schedule was saved: a schedule never reaches back before it existed). A missed
 * trigger is caught up however long ago it was, overnight or over a holiday: a trader who asked
 * to be flat by T does not want to hold that session's positions on.
 */
export function flatByCatchUp(schedule: FlatBySchedule, calendar: ExchangeCalendar, now: number, settledThrough: number, exposure: FlatByExposure): FlatByCatchUp {
  const missedAt = previousFlatBy(schedule, calendar, now);
  if (missedAt === null || missedAt <= settledThrough) return { action: "none" };
  const open = exposure.positions > 0 || exposure.workingOrders > 0;
  return { action: open ? "catch-up" : "mark-done", missedAt };
}

function instantAt(day: string, time: string, timeZone: string): number {
  const [year, month, date] = day.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  return instantOf({ year, month, day: date, hour, minute, second: 0 }, timeZone);
}
