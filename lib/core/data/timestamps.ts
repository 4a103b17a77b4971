import { instantOf, isValidTimeZone, offsetMs, wallTimeAsUtcMs, type WallTime } from "../time/zoned-time";

/**
 * Makes a parser for bar timestamps, returning epoch milliseconds (UTC) or undefined for text it
 * does not accept. Accepted forms:
 * - `2020-01-02` and `20200102`: that date at 00:00 in `timeZone`;
 * - ISO datetimes `2020-01-02T14:30`, `…:05`, `…:05.250`, with `T` or a space, with an offset
 *   (`Z`, `+01:00`, `+0100`) or without one (then a wall time in `timeZone`);
 * - `20200102 14:30:05`, as Interactive Brokers writes it, optionally followed by an IANA
 *   zone (`20200102 14:30:05 US/Eastern`), which then overrides `timeZone`;
 * - epoch seconds or milliseconds (digits with an optional fraction, not 8 digits long):
 *   values of 1e11 and above are milliseconds (1e11 s would be the year 5138).
 */
export function timestampParser(timeZone: string): (text: string) => number | undefined {
  const zones = new ZoneCache();
  return (text) => parseTimestamp(text, timeZone, zones);
}

function parseTimestamp(text: string, timeZone: string, zones: ZoneCache): number | undefined {
  const epoch = EPOCH.exec(text);
  if (epoch) return withinDateRange(parseEpoch(epoch[0]));
  const dated = ISO_DATETIME.exec(text) ?? COMPACT_DATETIME.exec(text);
  if (!dated?.groups) return undefined;
  const { year, month, day, hour = "0", minute = "0", second = "0", fraction = "", offset, zone } = dated.groups;
  if (zone !== undefined && !isValidTimeZone(zone)) return undefined;
  const wall = { year: +year, month: +month, day: +day, hour: +hour, minute: +minute, second: +second };
  if (!isRealWallTime(wall)) return undefined;
  const milliseconds = Math.round(Number(`0.${fraction || "0"}`) * 1000);
  if (offset !== undefined) return wallTimeAsUtcMs(wall) - offsetMinutes(offset) * 60_000 + milliseconds;
  return zones.instantOf(wall, zone ?? timeZone) + milliseconds;
}

/**
 * Resolves local wall times to instants, asking Intl (slow: tens of microseconds) only once per
 * zone and local date: on a date whose UTC offset is the same from 12 hours before it starts
 * to 12 hours after it ends, every wall time maps to wall - offset. Dates around a DST change
 * fall back to instantOf, which handles the gap and the overlap.
 */
class ZoneCache {
  private readonly offsets = new Map<string, number | undefined>();

  instantOf(wall: WallTime, timeZone: string): number {
    if (timeZone === "UTC") return wallTimeAsUtcMs(wall);
    const key = `${timeZone} ${wall.year}-${wall.month}-${wall.day}`;
    if (!this.offsets.has(key)) this.offsets.set(key, steadyOffset(wall, timeZone));
    const offset = this.offsets.get(key);
    return offset === undefined ? instantOf(wall, timeZone) : wallTimeAsUtcMs(wall) - offset;
  }
}

/** The zone's offset on the wall time's date if it does not change near that date. */
function steadyOffset(wall: WallTime, timeZone: string): number | undefined {
  const midnight = Date.UTC(wall.year, wall.month - 1, wall.day);
  const HOUR = 3_600_000;
  const samples = [midnight - 36 * HOUR, midnight + 12 * HOUR, midnight + 60 * HOUR].map((t) => offsetMs(t, timeZone));
  return samples.every((offset) => offset === samples[0]) ? samples[0] : undefined;
}

const EPOCH = /^(?!\d{8}$)\d{9,}(?:\.\d+)?$/;
const TIME_OF_DAY = String.raw`(?<hour>\d{2}):(?<minute>\d{2})(?::(?<second>\d{2})(?:\.(?<fraction>\d{1,9}))?)?`;
const ISO_DATETIME = new RegExp(
  String.raw`^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})(?:[T ]${TIME_OF_DAY}(?<offset>Z|[+-]\d{2}:?\d{2})?)?$`,
);
const COMPACT_DATETIME = new RegExp(
  String.raw`^(?<year>\d{4})(?<month>\d{2})(?<day>\d{2})(?: +${TIME_OF_DAY}(?: +(?<zone>[A-Za-z][\w+\-/]*))?)?$`,
);

/** JavaScript dates span ±8.64e15 ms around 1970; anything beyond is not a real time. */
function withinDateRange(epochMs: number): number | undefined {
  return Math.abs(epochMs) <= 8.64e15 ? epochMs : undefined;
}

function parseEpoch(digits: string): number {
  const value = Number(digits);
  return value >= 1e11 ? Math.round(value) : Math.round(value * 1000);
}

/** Rejects 2021-02-30, 25:00 and the like, which Date.UTC would silently roll over. */
function isRealWallTime(wall: WallTime): boolean {
  const date = new Date(wallTimeAsUtcMs(wall));
  return (
    date.getUTCFullYear() === wall.year &&
    date.getUTCMonth() === wall.month - 1 &&
    date.getUTCDate() === wall.day &&
    date.getUTCHours() === wall.hour &&
    date.getUTCMinutes() === wall.minute &&
    date.getUTCSeconds() === wall.second
  );
}

function offsetMinutes(offset: string): number {
  if (offset === "Z") return 0;
  const sign = offset[0] === "-" ? -1 : 1;
  const digits = offset.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
}
