import { describe, expect, it } from "vitest";
import { exchangeCalendar } from "@/lib/core/calendar";
import { EndOfDayScheduler, type SchedulerClock } from "./scheduler";

/** A clock the test moves by hand; due timers run as it passes them. */
class ManualClock implements SchedulerClock {
  private timers = new Map<number, { due: number; callback: () => void }>();
  private nextId = 1;
  constructor(private current: number) {}
  now = () => this.current;
  setTimeout = (callback: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.set(id, { due: this.current + ms, callback });
    return id;
  };
  clearTimeout = (handle: unknown) => void this.timers.delete(handle as number);
  advanceTo(instant: number): void {
    for (;;) {
      const next = [...this.timers.entries()].filter(([, timer]) => timer.due <= instant).sort((a, b) => a[1].due - b[1].due)[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.current = next[1].due;
      next[1].callback();
    }
    this.current = instant;
  }
  get pending(): number {
    return this.timers.size;
  }
}

const nyse = exchangeCalendar("XNYS");
const DELAY = 5 * 60_000;

function scheduler(clock: ManualClock, stored: Set<string>, built: string[]) {
  return new EndOfDayScheduler({
    calendar: nyse,
    clock,
    delayAfterCloseMs: DELAY,
    hasReport: async (day) => stored.has(day),
    buildDay: async (day) => {
      built.push(day);
      stored.add(day);
    },
  });
}

describe("EndOfDayScheduler", () => {
  it("catches up the last closed session at start, then builds each day after its close, skipping holidays", async () => {
    const clock = new ManualClock(Date.parse("2026-11-25T12:00:00Z")); // Wednesday morning in New York
    const built: string[] = [];
    const eod = scheduler(clock, new Set(), built);
    eod.start();
    await eod.idle();
    expect(built).toEqual(["2026-11-24"]);

    clock.advanceTo(Date.parse("2026-11-25T21:04:00Z")); // 16:04, before close + delay
    await eod.idle();
    expect(built).toEqual(["2026-11-24"]);
    clock.advanceTo(Date.parse("2026-11-25T21:05:00Z"));
    await eod.idle();
    expect(built).toEqual(["2026-11-24", "2026-11-25"]);

    // Thanksgiving is closed; Friday closes early at 13:00 New York.
    clock.advanceTo(Date.parse("2026-11-27T18:05:00Z"));
    await eod.idle();
    expect(built).toEqual(["2026-11-24", "2026-11-25", "2026-11-27"]);
    await eod.stop();
    expect(clock.pending).toBe(0);
  });

  it("does not rebuild a day that already has a report", async () => {
    const clock = new ManualClock(Date.parse("2026-11-21T12:00:00Z")); // Saturday
    const built: string[] = [];
    const eod = scheduler(clock, new Set(["2026-11-20"]), built);
    eod.start();
    await eod.idle();
    expect(built).toEqual([]);
    await eod.stop();
  });

  it("keeps going when a build fails, and reports the error", async () => {
    const clock = new ManualClock(Date.parse("2026-11-23T20:00:00Z"));
    const errors: string[] = [];
    const eod = new EndOfDayScheduler({
      calendar: nyse,
      clock,
      delayAfterCloseMs: DELAY,
      hasReport: async () => true,
      buildDay: async (day) => {
        throw new Error(`database down on ${day}`);
      },
      onError: (error) => errors.push((error as Error).message),
    });
    eod.start();
    clock.advanceTo(Date.parse("2026-11-24T21:10:00Z"));
    await eod.idle();
    expect(errors).toEqual(["database down on 2026-11-23", "database down on 2026-11-24"]);
    await eod.stop();
  });
});
