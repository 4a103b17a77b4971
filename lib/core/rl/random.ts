import { mulberry32 } from "../random";

/** Seeded uniform and normal draws for episode starts, observation noise and sampling. */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

/** mulberry32 with a cached Box-Muller pair: same seed, same sequence everywhere. */
export function createRng(seed: number): Rng {
  const uniform = mulberry32(seed);
  let spare = NaN;
  const normal = (): number => {
    if (!Number.isNaN(spare)) {
      const value = spare;
      spare = NaN;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  return { uniform, normal };
}
