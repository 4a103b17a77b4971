import { instantOf, localDateKey, type WallTime } from "../time/zoned-time";
import { EXCHANGES, type ExchangeDefinition, type LocalTime } from "./exchanges";

/** A calendar date `YYYY-MM-DD`, read in the exchange's time zone. */
export type DayKey = string;

const DAY_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** True for a real calendar date written `YYYY-MM-DD` (no 2026-02-30). */
export function isDayKey(value: string): value is DayKey {
  const match = DAY_KEY.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

function assertDayKey(day: string): asserts day is DayKey {
  if (!isDayKey(day)) throw new RangeError(`not a calendar date (YYYY-MM-DD): "${day}"`);
}

/** The calendar date `days` after `day` (negative: before). */
export function addDays(day: DayKey, days: number): DayKey {
  assertDayKey(day);
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** ISO weekday of a date: 1 Monday ... 7 Sunday. */
export function isoWeekday(day: DayKey): number {
  assertDayKey(day);
  return new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
}

export class CalendarCoverageError extends RangeError {
  constructor(mic: string, day: DayKey, first: number, last: number) {
    super(`${mic} calendar has holidays for ${first}-${last} only; ${day} is outside it`);
    this.name = "CalendarCoverageError";
  }
}

export interface Session {
  readonly day: DayKey;
  /** Epoch ms of the opening and closing bell. */
  readonly open: number;
  readonly close: number;
  readonly earlyClose: boolean;
}

/** Searching further than this for a trading day means the data is wrong, not the question. */
const MAX_GAP_DAYS = 15;

/**
 * One exchange's trading days and regular sessions. Days are calendar dates in the exchange's
 * zone; instants are epoch milliseconds. Every question about a day outside the covered years
 * throws `CalendarCoverageError` instead of guessing.
 */
export class ExchangeCalendar {
  private readonly holidays: ReadonlySet<string>;

  constructor(readonly exchange: ExchangeDefinition) {
    this.holidays = new Set(exchange.holidays);
  }

  get timeZone(): string {
    return this.exchange.timeZone;
  }

  isTradingDay(day: DayKey): boolean {
    this.assertCovered(day);
    return !this.exchange.weekend.includes(isoWeekday(day)) && !this.holidays.has(day);
  }

  /** The regular session of `day`, or null when the exchange is closed all day. */
  session(day: DayKey): Session | null {
    if (!this.isTradingDay(day)) return null;
    const earlyClose = this.exchange.earlyCloses[day];
    return {
      day,
      open: this.instantAt(day, this.exchange.open),
      close: this.instantAt(day, earlyClose ?? this.exchange.close),
      earlyClose: earlyClose !== undefined,
    };
  }

  sessionOpen(day: DayKey): number {
    return this.requireSession(day).open;
  }

  sessionClose(day: DayKey): number {
    return this.requireSession(day).close;
  }

  /** Whether the regular session is open at `instant` (open inclusive, close exclusive). */
  isOpenAt(instant: number): boolean {
    const session = this.session(localDateKey(instant, this.timeZone));
    return session !== null && instant >= session.open && instant < session.close;
  }

  nextTradingDay(day: DayKey): DayKey {
    return this.step(day, 1);
  }

  previousTradingDay(day: DayKey): DayKey {
    return this.step(day, -1);
  }

  /**
   * The trading day an instant belongs to: its calendar date in the exchange's zone, so pre-
   * and after-market fills count to that day's session; an instant on a weekend or holiday
   * belongs to the next trading day (the session it would settle with).
   */
  tradingDayOf(instant: number): DayKey {
    const date = localDateKey(instant, this.timeZone);
    return this.isTradingDay(date) ? date : this.nextTradingDay(date);
  }

  /**
   * The instants `[start, end)` that `tradingDayOf` maps to `day`: from midnight after the
   * previous trading day to midnight after `day`, in the exchange's zone.
   */
  tradingDayWindow(day: DayKey): { start: number; end: number } {
    if (!this.isTradingDay(day)) throw new RangeError(`${day} is not a ${this.exchange.mic} trading day`);
    return {
      start: this.instantAt(addDays(this.previousTradingDay(day), 1), "00:00"),
      end: this.instantAt(addDays(day, 1), "00:00"),
    };
  }

  /** Trading days from `from` to `to`, both included when they trade. */
  tradingDaysBetween(from: DayKey, to: DayKey): DayKey[] {
    const days: DayKey[] = [];
    for (let day = from; day <= to; day = addDays(day, 1)) if (this.isTradingDay(day)) days.push(day);
    return days;
  }

  /** The first session close strictly after `instant`. */
  nextSessionClose(instant: number): Session {
    let day = localDateKey(instant, this.timeZone);
    for (let gap = 0; gap <= MAX_GAP_DAYS; gap++, day = addDays(day, 1)) {
      const session = this.session(day);
      if (session && session.close > instant) return session;
    }
    throw new RangeError(`no ${this.exchange.mic} session closes within ${MAX_GAP_DAYS} days of ${new Date(instant).toISOString()}`);
  }

  /** The last session that closed at or before `instant`. */
  lastClosedSession(instant: number): Session {
    let day = localDateKey(instant, this.timeZone);
    for (let gap = 0; gap <= MAX_GAP_DAYS; gap++, day = addDays(day, -1)) {
      const session = this.session(day);
      if (session && session.close <= instant) return session;
    }
    throw new RangeError(`no ${this.exchange.mic} session closed within ${MAX_GAP_DAYS} days before ${new Date(instant).toISOString()}`);
  }

  private step(day: DayKey, direction: 1 | -1): DayKey {
    let candidate = addDays(day, direction);
    for (let gap = 0; gap < MAX_GAP_DAYS; gap++, candidate = addDays(candidate, direction)) {
      if (this.isTradingDay(candidate)) return candidate;
    }
    throw new RangeError(`no ${this.exchange.mic} trading day within ${MAX_GAP_DAYS} days of ${day}`);
  }

  private requireSession(day: DayKey): Session {
    const session = this.session(day);
    if (!session) throw new RangeError(`${day} is not a ${this.exchange.mic} trading day`);
    return session;
  }

  private instantAt(day: DayKey, time: LocalTime): number {
    const [year, month, date] = day.split("-").map(Number);
    const [hour, minute] = time.split(":").map(Number);
    const wall: WallTime = { year, month, day: date, hour, minute, second: 0 };
    return instantOf(wall, this.timeZone);
  }

  private assertCovered(day: string): void {
    assertDayKey(day);
    const year = Number(day.slice(0, 4));
    const { first, last } = this.exchange.coveredYears;
    if (year < first || year > last) throw new CalendarCoverageError(this.exchange.mic, day, first, last);
  }
}

const calendars = new Map<string, ExchangeCalendar>();

/** The calendar of a known exchange by MIC ("XNYS", "XNSE"). */
export function exchangeCalendar(mic: string): ExchangeCalendar {
  const definition = EXCHANGES[mic];
  if (!definition) throw new RangeError(`unknown exchange "${mic}": known are ${Object.keys(EXCHANGES).join(", ")}`);
  let calendar = calendars.get(mic);
  if (!calendar) {
    calendar = new ExchangeCalendar(definition);
    calendars.set(mic, calendar);
  }
  return calendar;
}
