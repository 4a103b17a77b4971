import type { DayKey, ExchangeCalendar } from "@/lib/core/calendar";

export interface SchedulerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface EndOfDayOptions {
  calendar: ExchangeCalendar;
  clock: SchedulerClock;
  /** Builds and stores the report of a closed day; resolves when done. */
  buildDay: (day: DayKey) => Promise<void>;
  /** Whether a day already has a stored report (so a restart does not rebuild it). */
  hasReport: (day: DayKey) => Promise<boolean>;
  /** Wait this long after the closing bell, so late executions and commission reports arrive. */
  delayAfterCloseMs?: number;
  onError?: (error: unknown, day: DayKey) => void;
}

/** Timers longer than this overflow Node's 32-bit delay; the scheduler wakes up and re-plans. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Builds each trading day's report once its session has closed: at start it catches up the
 * last closed session if it has no report, then sleeps until the next close (plus a delay).
 */
export class EndOfDayScheduler {
  private timer: unknown = null;
  private running = false;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly options: EndOfDayOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const { calendar, clock } = this.options;
    this.enqueue(calendar.lastClosedSession(clock.now() - this.delay).day, true);
    this.planNext();
  }

  /** Stops the timer and waits for a build under way. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /** Resolves when every build started so far has finished. */
  idle(): Promise<void> {
    return this.inFlight;
  }

  private get delay(): number {
    return this.options.delayAfterCloseMs ?? 5 * 60_000;
  }

  private planNext(): void {
    if (!this.running) return;
    const { calendar, clock } = this.options;
    const now = clock.now();
    const session = calendar.nextSessionClose(now - this.delay);
    const due = session.close + this.delay;
    const wait = Math.min(Math.max(due - now, 0), MAX_TIMER_MS);
    this.timer = clock.setTimeout(() => {
      this.timer = null;
      if (clock.now() >= due) this.enqueue(session.day, false);
      this.planNext();
    }, wait);
  }

  private enqueue(day: DayKey, onlyIfMissing: boolean): void {
    const { buildDay, hasReport, onError } = this.options;
    this.inFlight = this.inFlight.then(async () => {
      try {
        if (onlyIfMissing && (await hasReport(day))) return;
        await buildDay(day);
      } catch (error) {
        onError?.(error, day);
      }
    });
  }
}
