/**
 * Exchange sessions and closures as data. Holidays and early closes are the exchanges' own
 * published lists; a year missing here is refused rather than guessed (see `coveredYears`).
 */

/** `HH:MM` in the exchange's time zone. */
export type LocalTime = `${number}:${number}`;

export interface ExchangeDefinition {
  /** ISO 10383 market identifier. */
  readonly mic: string;
  readonly name: string;
  /** IANA zone: daylight saving time comes from the zone, never from the data. */
  readonly timeZone: string;
  readonly open: LocalTime;
  readonly close: LocalTime;
  /** ISO weekdays (1 Monday ... 7 Sunday) on which the exchange never trades. */
  readonly weekend: readonly number[];
  /** Full closures, `YYYY-MM-DD`. */
  readonly holidays: readonly string[];
  /** Sessions that close early: day -> local close time. */
  readonly earlyCloses: Readonly<Record<string, LocalTime>>;
  /** Inclusive range of years whose holiday list is complete. */
  readonly coveredYears: { readonly first: number; readonly last: number };
}

/** New York Stock Exchange: 09:30-16:00 America/New_York; 13:00 on early-close days. */
export const XNYS: ExchangeDefinition = {
  mic: "XNYS",
  name: "New York Stock Exchange",
  timeZone: "America/New_York",
  open: "09:30",
  close: "16:00",
  weekend: [6, 7],
  holidays: [
    "2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25",
    // 2025-01-09: national day of mourning for President Carter.
    "2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25",
    // 2026-07-03: Independence Day observed (July 4 is a Saturday).
    "2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25",
    // 2027-06-18, 2027-07-05, 2027-12-24: observed for holidays on a weekend. New Year 2028 (a Saturday) is not observed.
    "2027-01-01", "2027-01-18", "2027-02-15", "2027-03-26", "2027-05-31", "2027-06-18", "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24",
  ],
  earlyCloses: {
    "2024-07-03": "13:00", "2024-11-29": "13:00", "2024-12-24": "13:00",
    "2025-07-03": "13:00", "2025-11-28": "13:00", "2025-12-24": "13:00",
    "2026-11-27": "13:00", "2026-12-24": "13:00",
    "2027-11-26": "13:00",
  },
  coveredYears: { first: 2024, last: 2027 },
};

/**
 * National Stock Exchange of India, equity segment: 09:15-15:30 Asia/Kolkata (no DST).
 * Holidays falling on a weekend are not listed (they close nothing). Diwali's one-hour
 * "muhurat" session is not modelled: the day counts as a holiday. NSE publishes a year's list in
 * December: 2027 holds the fixed-date national holidays only until that list is out.
 */
export const XNSE: ExchangeDefinition = {
  mic: "XNSE",
  name: "National Stock Exchange of India",
  timeZone: "Asia/Kolkata",
  open: "09:15",
  close: "15:30",
  weekend: [6, 7],
  holidays: [
    "2024-01-22", "2024-01-26", "2024-03-08", "2024-03-25", "2024-03-29", "2024-04-11", "2024-04-17", "2024-05-01", "2024-05-20",
    "2024-06-17", "2024-07-17", "2024-08-15", "2024-10-02", "2024-11-01", "2024-11-15", "2024-11-20", "2024-12-25",
    "2025-02-26", "2025-03-14", "2025-03-31", "2025-04-10", "2025-04-14", "2025-04-18", "2025-05-01", "2025-08-15", "2025-08-27",
    "2025-10-02", "2025-10-21", "2025-10-22", "2025-11-05", "2025-12-25",
    "2026-01-26", "2026-03-03", "2026-03-26", "2026-03-31", "2026-04-03", "2026-04-14", "2026-05-01", "2026-05-28", "2026-06-26",
    "2026-09-14", "2026-10-02", "2026-10-20", "2026-11-10", "2026-11-24", "2026-12-25",
    "2027-01-26", "2027-05-01", "2027-10-02", "2027-12-25",
  ].filter((day) => !isWeekendKey(day)),
  earlyCloses: {},
  coveredYears: { first: 2024, last: 2027 },
};

export const EXCHANGES: Readonly<Record<string, ExchangeDefinition>> = { XNYS, XNSE };

function isWeekendKey(day: string): boolean {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday === 0 || weekday === 6;
}
