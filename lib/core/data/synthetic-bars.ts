import { createRng } from "../rl/random";
import type { BarSeries } from "./bars";

const DAY_MS = 86_400_000;

export interface SyntheticBarsOptions {
  /** Seed of the mulberry32 draws: the same bars on every machine. */
  readonly seed: number;
  /** Epoch ms of the first bar; one bar a day after it. */
  readonly start: number;
  /** Pull of the log price back towards 100 per bar, so that long series stay in a sane range. */
  readonly meanReversion: number;
}

/**
 * Seeded daily bars for benchmarks and warm-ups: a mean-reverting geometric random walk from 100,
 * closes rounded to the cent, each bar opening at the previous close, with a high and low around
 * them and a volume. No symbol, as the bar store loads a series.
 */
export function syntheticDailyBars(length: number, { seed, start, meanReversion }: SyntheticBarsOptions): BarSeries {
  const column = () => new Float64Array(length);
  const columns = { time: column(), open: column(), high: column(), low: column(), close: column(), volume: column() };
  const { uniform } = createRng(seed);
  let price = 100;
  for (let index = 0; index < length; index++) {
    const open = price;
    price = Math.max(1, price * Math.exp(-meanReversion * Math.log(price / 100) + (uniform() - 0.5) * 0.03));
    const close = Math.round(price * 100) / 100;
    columns.time[index] = start + index * DAY_MS;
    columns.open[index] = open;
    columns.close[index] = close;
    columns.high[index] = Math.max(open, close) * (1 + uniform() * 0.01);
    columns.low[index] = Math.min(open, close) * (1 - uniform() * 0.01);
    columns.volume[index] = 1_000 + Math.floor(uniform() * 10_000);
    price = close;
  }
  return { length, ...columns };
}
