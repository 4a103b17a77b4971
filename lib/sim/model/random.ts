import { mulberry32 } from "@/lib/core/random";

/** Small deterministic PRNG (mulberry32): same seed, same sequence, on every platform. */
export class SeededRandom {
  private readonly uniform: () => number;

  constructor(seed: number) {
    this.uniform = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uniform();
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Standard normal via Box-Muller. */
  gaussian(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** Derives independent per-stream seeds from one session seed (e.g. one stream per symbol). */
export function deriveSeed(seed: number, stream: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ stream, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
