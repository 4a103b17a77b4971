import { instantOf, wallTimeAt, type WallTime } from "@/lib/core/time/zoned-time";

/** A span during which IB may take its servers or the gateway down on purpose. */
export interface ResetWindow {
  name: string;
  start: number;
  end: number;
}

interface DailyWindow {
  name: string;
  timeZone: string;
  from: [hour: number, minute: number];
  to: [hour: number, minute: number];
  /** Days of week (0 = Sunday, in the window's zone) on which the window opens. */
  days: readonly number[];
}

const SATURDAY_TO_THURSDAY = [6, 0, 1, 2, 3, 4] as const;

/** IB's published server reset windows (Sat-Thu) and the weekend maintenance from Friday 23:00 ET. */
const DAILY_WINDOWS: readonly DailyWindow[] = [
  { name: "North America reset", timeZone: "America/New_York", from: [23, 45], to: [0, 45], days: SATURDAY_TO_THURSDAY },
  { name: "Europe reset", timeZone: "Europe/Zurich", from: [5, 45], to: [6, 45], days: SATURDAY_TO_THURSDAY },
  { name: "Asia reset", timeZone: "America/New_York", from: [16, 30], to: [17, 0], days: SATURDAY_TO_THURSDAY },
  { name: "Asia reset (Hong Kong)", timeZone: "Asia/Hong_Kong", from: [20, 15], to: [21, 0], days: SATURDAY_TO_THURSDAY },
];

/** Friday 23:00 ET to Sunday 17:00 ET: weekend maintenance and the weekly re-login. */
const WEEKEND = { name: "weekend maintenance", timeZone: "America/New_York", fromDay: 5, from: [23, 0], toHours: 42 } as const;

const DAY_MS = 86_400_000;

/** Every window that overlaps [from, to), in start order. */
export function resetWindowsBetween(from: number, to: number): ResetWindow[] {
  const windows: ResetWindow[] = [];
  for (let day = from - 2 * DAY_MS; day < to + DAY_MS; day += DAY_MS) {
    for (const daily of DAILY_WINDOWS) {
      const window = dailyWindowOn(daily, day);
      if (window && window.end > from && window.start < to) windows.push(window);
    }
    const weekend = weekendOn(day);
    if (weekend && weekend.end > from && weekend.start < to) windows.push(weekend);
  }
  return dedupe(windows).sort((a, b) => a.start - b.start);
}

/** The window containing `at`, if any (the longest when several overlap). */
export function resetWindowAt(at: number): ResetWindow | null {
  const containing = resetWindowsBetween(at, at + 1).filter((window) => window.start <= at && at < window.end);
  return containing.sort((a, b) => b.end - b.start - (a.end - a.start))[0] ?? null;
}

/** The window in progress at `at`, or else the next one to start. */
export function nextResetWindow(at: number): ResetWindow {
  const current = resetWindowAt(at);
  if (current) return current;
  const upcoming = resetWindowsBetween(at, at + 8 * DAY_MS).find((window) => window.start >= at);
  if (!upcoming) throw new Error("no reset window within a week; the schedule table is empty");
  return upcoming;
}

function dailyWindowOn(daily: DailyWindow, dayInstant: number): ResetWindow | null {
  const wall = wallTimeAt(dayInstant, daily.timeZone);
  if (!daily.days.includes(dayOfWeek(wall))) return null;
  const start = instantOf({ ...wall, hour: daily.from[0], minute: daily.from[1], second: 0 }, daily.timeZone);
  const crossesMidnight = daily.to[0] * 60 + daily.to[1] < daily.from[0] * 60 + daily.from[1];
  const endDay = crossesMidnight ? nextCalendarDay(wall) : wall;
  const end = instantOf({ ...endDay, hour: daily.to[0], minute: daily.to[1], second: 0 }, daily.timeZone);
  return { name: daily.name, start, end };
}

function weekendOn(dayInstant: number): ResetWindow | null {
  const wall = wallTimeAt(dayInstant, WEEKEND.timeZone);
  if (dayOfWeek(wall) !== WEEKEND.fromDay) return null;
  const start = instantOf({ ...wall, hour: WEEKEND.from[0], minute: WEEKEND.from[1], second: 0 }, WEEKEND.timeZone);
  const sunday = nextCalendarDay(nextCalendarDay(wall));
  const end = instantOf({ ...sunday, hour: 17, minute: 0, second: 0 }, WEEKEND.timeZone);
  return { name: WEEKEND.name, start, end };
}

function nextCalendarDay(wall: WallTime): WallTime {
  const next = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + 1));
  return { ...wall, year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
}

function dayOfWeek(wall: WallTime): number {
  return new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay();
}

function dedupe(windows: ResetWindow[]): ResetWindow[] {
  const seen = new Set<string>();
  return windows.filter((window) => {
    const key = `${window.name}@${window.start}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
