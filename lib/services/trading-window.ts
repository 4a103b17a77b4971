import { z } from "zod";
import { CalendarCoverageError, type ExchangeCalendar } from "@/lib/core/calendar";
import { localTime } from "@/lib/core/risk";
import type { RiskDecision, RiskGate, RiskState, TradeIntent } from "@/lib/core/ports";
import { instantOf, localDateKey } from "@/lib/core/time/zoned-time";

/** When an instance may open positions, in the exchange's local time; an open end means the session's. */
export const entryWindowSchema = z
  .object({ start: localTime.nullable().default(null), end: localTime.nullable().default(null) })
  .refine((window) => window.start === null || window.end === null || window.start < window.end, { message: "start must be before end", path: ["end"] });

export type EntryWindow = z.output<typeof entryWindowSchema>;

function instantOn(day: string, time: string, timeZone: string): number {
  const [year, month, date] = day.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  return instantOf({ year, month, day: date, hour, minute, second: 0 }, timeZone);
}

/**
 * Whether `instant` is inside the window on a trading day: the window is clipped to the
 * regular session (holidays and early closes included); days the calendar does not cover are outside.
 */
export function isInsideWindow(instant: number, window: EntryWindow, calendar: ExchangeCalendar): boolean {
  try {
    const session = calendar.session(localDateKey(instant, calendar.timeZone));
    if (!session) return false;
    const from = window.start ? Math.max(session.open, instantOn(session.day, window.start, calendar.timeZone)) : session.open;
    const to = window.end ? Math.min(session.close, instantOn(session.day, window.end, calendar.timeZone)) : session.close;
    return instant >= from && instant < to;
  } catch (error) {
    if (error instanceof CalendarCoverageError) return false;
    throw error;
  }
}

const APPROVED: RiskDecision = { approved: true };

export interface EntryRules {
  readonly window: EntryWindow;
  readonly calendar: ExchangeCalendar;
  /** Entries allowed per symbol per exchange day. */
  readonly maxCyclesPerDay: number;
  readonly now: () => number;
  /** Why entries are refused right now (delayed data, paused, ...), or null. */
  readonly blocked?: (symbol: string) => string | null;
}

/**
 * The instance's own rules in front of the shared risk gate: entries only inside the trading
 * window, at most `maxCyclesPerDay` per symbol per exchange day, and not while `blocked` says
 * so. Exits and protective orders always pass to the next gate.
 */
export function entryRulesGate(rules: EntryRules, next: RiskGate): RiskGate {
  const cycles = new Map<string, number>();
  return {
    check(intent: TradeIntent, state: RiskState): RiskDecision {
      if (intent.purpose !== "entry") return next.check(intent, state);
      const now = rules.now();
      const block = rules.blocked?.(intent.symbol);
      if (block) return { approved: false, reason: block };
      if (!isInsideWindow(now, rules.window, rules.calendar)) return { approved: false, reason: `outside the trading window (${describeWindow(rules.window)} ${rules.calendar.timeZone})` };
      const key = `${intent.symbol}|${localDateKey(now, rules.calendar.timeZone)}`;
      const used = cycles.get(key) ?? 0;
      if (used >= rules.maxCyclesPerDay) return { approved: false, reason: `${intent.symbol}: ${used} of ${rules.maxCyclesPerDay} trade cycles used today` };
      const decision = next.check(intent, state);
      if (decision.approved) cycles.set(key, used + 1);
      return decision.approved ? APPROVED : decision;
    },
  };
}

function describeWindow(window: EntryWindow): string {
  return `${window.start ?? "open"}-${window.end ?? "close"}`;
}
