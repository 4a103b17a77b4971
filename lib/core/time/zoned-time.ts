/** Wall-clock fields in some IANA time zone. Month is 1-12. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading in `timeZone` at the instant `epochMs`. */
export function wallTimeAt(epochMs: number, timeZone: string): WallTime {
  const parts = formatterFor(timeZone).formatToParts(new Date(epochMs));
  const field = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value);
  return {
    year: field("year"),
    month: field("month"),
    day: field("day"),
    hour: field("hour"),
    minute: field("minute"),
    second: field("second"),
  };
}

/** The instant whose UTC reading is `wall` (a naive wall time taken as UTC). */
export function wallTimeAsUtcMs(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

/**
 * The instant at which `timeZone`'s clocks read `wall` (Temporal's "compatible" rule): in a
 * fall-back overlap the earlier instant wins; a reading skipped by spring-forward is moved
 * forward by the length of the gap.
 */
export function instantOf(wall: WallTime, timeZone: string): number {
  const naive = wallTimeAsUtcMs(wall);
  const offsetBefore = offsetMs(naive - HALF_DAY_MS, timeZone);
  const offsetAfter = offsetMs(naive + HALF_DAY_MS, timeZone);
  const matches = [naive - offsetBefore, naive - offsetAfter].filter(
    (instant) => wallTimeAsUtcMs(wallTimeAt(instant, timeZone)) === naive,
  );
  return matches.length > 0 ? Math.min(...matches) : naive - offsetBefore;
}

const HALF_DAY_MS = 12 * 3_600_000;

/** How far `timeZone` is ahead of UTC at `epochMs`, in milliseconds. */
export function offsetMs(epochMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  return wallTimeAsUtcMs(wallTimeAt(wholeSecond, timeZone)) - wholeSecond;
}

/** `YYYY-MM-DD` of the instant's date in `timeZone`. */
export function localDateKey(epochMs: number, timeZone: string): string {
  const wall = wallTimeAt(epochMs, timeZone);
  return `${wall.year}-${String(wall.month).padStart(2, "0")}-${String(wall.day).padStart(2, "0")}`;
}
