/**
 * Historical bars: parsing of TWS bar sizes and durations, session-aligned bar times, and
 * seeded OHLCV series that end at the current price, with a U-shaped intraday volume profile.
 */
import { instantOf, wallTimeAt, type WallTime } from "@/lib/core/time/zoned-time";
import type { Instrument } from "./instruments";
import { roundToTick } from "./prices";
import { deriveSeed, SeededRandom } from "./random";

import type { Bar } from "@/lib/core/data/bars";

export type { Bar };

const MINUTE = 60_000;
const DAY = 86_400_000;

const BAR_SIZES: Readonly<Record<string, number>> = {
  "1 min": 1,
  "2 mins": 2,
  "3 mins": 3,
  "5 mins": 5,
  "10 mins": 10,
  "15 mins": 15,
  "20 mins": 20,
  "30 mins": 30,
  "1 hour": 60,
  "2 hours": 120,
  "3 hours": 180,
  "4 hours": 240,
  "8 hours": 480,
  "1 day": 1440,
};

/** Bar length in minutes; undefined for a size TWS would reject or the simulator does not serve. */
export function barSizeMinutes(barSize: string): number | undefined {
  return BAR_SIZES[barSize.trim().replace(/\s+/g, " ")];
}

const DURATION = /^(\d+)\s+([SDWMY])$/;
const DURATION_UNIT_MS: Readonly<Record<string, number>> = { S: 1000, D: DAY, W: 7 * DAY, M: 30 * DAY, Y: 365 * DAY };

/** "3 D" -> milliseconds of calendar time; undefined when malformed. */
export function durationMs(duration: string): number | undefined {
  const match = DURATION.exec(duration.trim());
  if (!match) return undefined;
  const count = Number(match[1]);
  return count > 0 ? count * DURATION_UNIT_MS[match[2]] : undefined;
}

/**
 * Where a request's span starts. "N D" and "N W" count trading sessions back from `end` (N, or 5
 * per week), as TWS does, so a request made on a weekend or before the open still gets the last
 * sessions; seconds, months and years count calendar time. Undefined when malformed.
 */
export function spanStart(duration: string, end: number, instrument: Instrument, useRth: boolean): number | undefined {
  const length = durationMs(duration);
  const unit = DURATION.exec(duration.trim())?.[2];
  if (length === undefined) return undefined;
  if (unit !== "D" && unit !== "W") return end - length;
  const zone = instrument.timeZoneId;
  const openMinute = (useRth ? instrument.regularHours : instrument.extendedHours).open;
  let sessions = Math.round(length / DAY) * (unit === "W" ? 5 / 7 : 1);
  let start = end;
  for (let noon = instantOf({ ...wallTimeAt(end, zone), hour: 12, minute: 0, second: 0 }, zone); sessions > 0; noon -= DAY) {
    const wall = wallTimeAt(noon, zone);
    const midnight = instantOf({ ...wall, hour: 0, minute: 0, second: 0 }, zone);
    if (!isWeekday(wall) || midnight + openMinute * MINUTE >= end) continue;
    start = midnight;
    sessions--;
  }
  return start;
}

/** Parses an endDateTime: "" (now), "yyyyMMdd HH:mm:ss [zone]" or "yyyyMMdd-HH:mm:ss" (UTC). */
export function parseEndDateTime(text: string, nowMs: number, defaultZone: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return nowMs;
  const match = /^(\d{4})(\d{2})(\d{2})([ -])(\d{2}):(\d{2}):(\d{2})(?:\s+(\S+))?$/.exec(trimmed);
  if (!match) return undefined;
  const [, year, month, day, separator, hour, minute, second, zone] = match;
  const wall: WallTime = { year: +year, month: +month, day: +day, hour: +hour, minute: +minute, second: +second };
  return instantOf(wall, separator === "-" ? "UTC" : (zone ?? defaultZone));
}

function isWeekday(wall: WallTime): boolean {
  const weekday = new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** Start times of the bars that lie in [fromMs, toMs), within trading sessions of the instrument. */
export function barTimes(instrument: Instrument, barMinutes: number, fromMs: number, toMs: number, useRth: boolean): number[] {
  const zone = instrument.timeZoneId;
  const hours = useRth ? instrument.regularHours : instrument.extendedHours;
  const times: number[] = [];
  const firstDay = wallTimeAt(fromMs, zone);
  for (let dayStart = instantOf({ ...firstDay, hour: 12, minute: 0, second: 0 }, zone); dayStart < toMs + DAY; dayStart += DAY) {
    const wall = wallTimeAt(dayStart, zone);
    if (!isWeekday(wall)) continue;
    const midnight = { ...wall, hour: 0, minute: 0, second: 0 };
    if (barMinutes >= 1440) {
      const open = instantOf({ ...midnight, hour: Math.floor(hours.open / 60), minute: hours.open % 60 }, zone);
      if (open >= fromMs - DAY && open < toMs) times.push(instantOf(midnight, zone));
      continue;
    }
    for (let minute = hours.open; minute < hours.close; minute += barMinutes) {
      const start = instantOf({ ...midnight, hour: Math.floor(minute / 60), minute: minute % 60 }, zone);
      if (start >= fromMs && start < toMs) times.push(start);
    }
  }
  return [...new Set(times)].sort((a, b) => a - b);
}

/** Relative intraday volume at a minute of the session: high at the open and the close, low at midday. */
export function intradayVolumeWeight(minuteOfDay: number, session: { open: number; close: number }): number {
  const length = session.close - session.open;
  if (length <= 0) return 1;
  const position = Math.min(Math.max((minuteOfDay - session.open) / length, 0), 1);
  const fromMiddle = (position - 0.5) * 2;
  return 0.4 + 2.6 * fromMiddle * fromMiddle;
}

/** Average shares traded per regular-session minute. */
const SHARES_PER_MINUTE = 60_000;
const DAILY_VOLATILITY = 0.02;

/**
 * A seeded OHLCV series over `times` whose last close is `lastClose`; generated backwards so
 * the history joins the live price. The same seed and times give the same bars.
 */
export function generateBars(instrument: Instrument, times: readonly number[], barMinutes: number, lastClose: number, seed: number): Bar[] {
  const random = new SeededRandom(deriveSeed(seed, instrument.conId ^ (barMinutes << 20) ^ Math.floor((times[0] ?? 0) / MINUTE)));
  const tick = instrument.minTick;
  const sessionMinutes = instrument.regularHours.close - instrument.regularHours.open;
  const barVolatility = DAILY_VOLATILITY * Math.sqrt(Math.min(barMinutes, sessionMinutes) / sessionMinutes);
  const bars: Bar[] = new Array(times.length);
  let close = lastClose;
  for (let index = times.length - 1; index >= 0; index--) {
    const open = roundToTick(close / Math.exp(barVolatility * random.gaussian()), tick);
    const wick = Math.abs(barVolatility * random.gaussian()) * 0.5;
    const high = roundToTick(Math.max(open, close) * (1 + wick * random.next()), tick);
    const low = roundToTick(Math.min(open, close) * (1 - wick * random.next()), tick);
    bars[index] = { time: times[index], open, high, low, close: roundToTick(close, tick), volume: barVolume(instrument, times[index], barMinutes, random) };
    close = open;
  }
  return bars;
}

function barVolume(instrument: Instrument, time: number, barMinutes: number, random: SeededRandom): number {
  const noise = 0.7 + 0.6 * random.next();
  if (barMinutes >= 1440) {
    return Math.round((SHARES_PER_MINUTE * (instrument.regularHours.close - instrument.regularHours.open) * noise) / 100) * 100;
  }
  const wall = wallTimeAt(time, instrument.timeZoneId);
  const minute = wall.hour * 60 + wall.minute + barMinutes / 2;
  const inRegular = minute >= instrument.regularHours.open && minute < instrument.regularHours.close;
  const weight = inRegular ? intradayVolumeWeight(minute, instrument.regularHours) : 0.05;
  return Math.round((SHARES_PER_MINUTE * barMinutes * weight * noise) / 100) * 100;
}
