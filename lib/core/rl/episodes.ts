import type { Rng } from "./random";

/** First and one-past-last decision bar of an episode over `length` bars whose features are ready from `firstReady`. */
export function episodeBounds(length: number, firstReady: number, episodeLength: number, randomStart: boolean, rng: Rng): { start: number; end: number } {
  const lastStart = length - 1 - episodeLength;
  if (lastStart < firstReady) {
    throw new Error(`not enough bars for an episode: ${length} bars, ${firstReady} of warm-up, episodes of ${episodeLength}`);
  }
  const start = randomStart ? firstReady + Math.floor(rng.uniform() * (lastStart - firstReady + 1)) : firstReady;
  return { start, end: start + episodeLength };
}
