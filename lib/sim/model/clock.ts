/**
 * The simulator's notion of time. Real time by default; an accelerated clock runs the
 * session faster than the wall clock from a chosen start instant.
 */
export interface SimClock {
  /** Current simulated instant, epoch milliseconds. */
  now(): number;
  /** Simulated milliseconds per real millisecond (1 in real time). */
  readonly speed: number;
}

export const realTimeClock = (): SimClock => ({ now: () => Date.now(), speed: 1 });

/** Simulated time advances `speed` times faster than real time, from `startMs`. */
export function acceleratedClock(startMs: number, speed: number, realNow: () => number = Date.now): SimClock {
  const realStart = realNow();
  return { now: () => startMs + (realNow() - realStart) * speed, speed };
}
