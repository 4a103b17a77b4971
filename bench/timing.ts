/** How long one run took: wall clock and the process's CPU time (all threads), in milliseconds. */
export interface Timing {
  readonly wallMs: number;
  readonly cpuMs: number;
}

export function timeOnce(run: () => unknown): Timing {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  run();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const best = (a: Timing, b: Timing): Timing => ({ wallMs: Math.min(a.wallMs, b.wallMs), cpuMs: Math.min(a.cpuMs, b.cpuMs) });
const NEVER: Timing = { wallMs: Infinity, cpuMs: Infinity };

/**
 * Best of `repeats` runs of each of two implementations (wall and CPU time apart), after one
 * warm-up run each on a short input (so the code is optimized). The timed runs alternate,
 * A B B A A B ..., so both see the same machine load, and each follows the other's allocation as
 * often as its own: on a shared machine a ratio of two bests taken one after the other mostly
 * measures how busy the others were in each stretch.
 */
export function bestTimes<S>(a: (input: S) => unknown, b: (input: S) => unknown, full: S, warmUp: S, repeats: number): [Timing, Timing] {
  a(warmUp);
  b(warmUp);
  let bestA = NEVER;
  let bestB = NEVER;
  for (let i = 0; i < repeats; i++) {
    const aFirst = i % 2 === 0;
    if (aFirst) bestA = best(bestA, timeOnce(() => a(full)));
    bestB = best(bestB, timeOnce(() => b(full)));
    if (!aFirst) bestA = best(bestA, timeOnce(() => a(full)));
  }
  return [bestA, bestB];
}
