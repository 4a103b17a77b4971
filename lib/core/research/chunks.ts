/**
 * How a sweep's runs are cut into queue jobs. Every job costs a few database round trips, so
 * chunks should hold a good fraction of a second of computing; but the workers finish together
 * only if the last chunks are short. So chunks are sized "guided": each is a fixed share of the
 * runs still left, between a floor and a ceiling, and workers take them largest first.
 */

/** Bar-steps (runs x bars) a full-size chunk holds: on the order of a second of one core's work. */
export const CHUNK_BAR_STEPS = 5_000_000;
/** Each chunk takes this share of the runs still left, so about this many workers get an even tail. */
const GUIDED_SHARE = 8;
/** The smallest chunks are this fraction of a full one. */
const SMALLEST_FRACTION = 16;
export const MAX_CHUNK_RUNS = 5_000;

export interface RunSpan {
  /** Index of the series in the sweep's list. */
  readonly series: number;
  /** Parameter sets [start, end) of the sweep's list. */
  readonly start: number;
  readonly end: number;
}

/**
 * Cuts `setCount` parameter sets on each of `seriesCount` series into spans, largest first, never
 * across a series. A fixed `chunkSize` gives equal spans instead; without it, spans follow the
 * guided rule for series of `barCount` bars.
 */
export function planChunks(seriesCount: number, setCount: number, barCount: number, chunkSize?: number): RunSpan[] {
  const largest = chunkSize ?? Math.min(MAX_CHUNK_RUNS, Math.max(1, Math.round(CHUNK_BAR_STEPS / Math.max(1, barCount))));
  const smallest = chunkSize ?? Math.max(1, Math.ceil(largest / SMALLEST_FRACTION));
  const spans: RunSpan[] = [];
  let remaining = seriesCount * setCount;
  for (let series = 0; series < seriesCount; series++) {
    for (let start = 0; start < setCount; ) {
      const size = Math.min(largest, Math.max(smallest, Math.ceil(remaining / GUIDED_SHARE)));
      const end = Math.min(setCount, start + size);
      spans.push({ series, start, end });
      remaining -= end - start;
      start = end;
    }
  }
  return spans;
}
