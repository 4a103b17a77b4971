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
  const byOffsetBefore = naive - offsetMs(naive - HALF_DAY_MS, timeZone);
  const byOffsetAfter = naive - offsetMs(naive + HALF_DAY_MS, timeZone);
  const reads = (instant: number) => instant + offsetMs(instant, timeZone) === naive;
  if (reads(byOffsetBefore) && reads(byOffsetAfter)) return Math.min(byOffsetBefore, byOffsetAfter);
  if (reads(byOffsetBefore)) return byOffsetBefore;
  return reads(byOffsetAfter) ? byOffsetAfter : byOffsetBefore;
}

const HALF_DAY_MS = 12 * 3_600_000;

/**
 * Offsets are cached per quarter hour: every zone's offsets are whole quarter hours and its
 * transitions fall on local :00 or :30 since the zone left local mean time, so a quarter hour
 * whose first and last second agree has one offset throughout. One that does not (a transition,
 * or a local-mean-time era) is computed second by second.
 */
const OFFSET_BUCKET_MS = 15 * 60_000;
const offsetBuckets = new Map<string, Map<number, number>>();
const MAX_CACHED_BUCKETS_PER_ZONE = 50_000;

/** How far `timeZone` is ahead of UTC at `epochMs`, in milliseconds. */
export function offsetMs(epochMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  const bucket = Math.floor(wholeSecond / OFFSET_BUCKET_MS);
  let buckets = offsetBuckets.get(timeZone);
  if (!buckets) offsetBuckets.set(timeZone, (buckets = new Map()));
  const cached = buckets.get(bucket);
  if (cached !== undefined) return cached;
  const start = bucket * OFFSET_BUCKET_MS;
  const atStart = offsetAtSecond(start, timeZone);
  if (atStart !== offsetAtSecond(start + OFFSET_BUCKET_MS - 1000, timeZone)) return offsetAtSecond(wholeSecond, timeZone);
  if (buckets.size >= MAX_CACHED_BUCKETS_PER_ZONE) buckets.clear();
  buckets.set(bucket, atStart);
  return atStart;
}

function offsetAtSecond(wholeSecond: number, timeZone: string): number {
  return wallTimeAsUtcMs(wallTimeAt(wholeSecond, timeZone)) - wholeSecond;
}

/** `YYYY-MM-DD` of the instant's date in `timeZone`. */
export function localDateKey(epochMs: number, timeZone: string): string {
  const wall = wallTimeAt(epochMs, timeZone);
  return `${wall.year}-${String(wall.month).padStart(2, "0")}-${String(wall.day).padStart(2, "0")}`;
}
