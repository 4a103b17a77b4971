import type { Bar, BarSeries } from "../data/bars";
import { seriesFromBars } from "../data/bars";
import type { StrategyContext, StrategyIntent } from "./types";

const DAY_MS = 86_400_000;

/** Daily bars at 00:00 UTC from closes; each opens at the previous close, range +/- `spread`. */
export function barsFromCloses(closes: readonly number[], options: { start?: number; stepMs?: number; spread?: number } = {}): BarSeries {
  const start = options.start ?? Date.UTC(2024, 0, 1);
  const step = options.stepMs ?? DAY_MS;
  const spread = options.spread ?? 0;
  const bars: Bar[] = closes.map((close, index) => {
    const open = index === 0 ? close : closes[index - 1];
    return { time: start + index * step, open, high: Math.max(open, close) + spread, low: Math.min(open, close) - spread, close, volume: 1000 };
  });
  return seriesFromBars(bars, "TEST");
}

/** A context for driving one strategy by hand: the test sets the position, reads the intents. */
export class ScriptedContext implements StrategyContext {
  readonly symbol = "TEST";
  position = 0;
  entryPrice = NaN;
  stopPrice = NaN;
  entryPending = false;
  time = 0;
  readonly intents: StrategyIntent[] = [];

  now(): number {
    return this.time;
  }

  submit(intent: StrategyIntent): void {
    this.intents.push(intent);
  }

  take(): StrategyIntent[] {
    return this.intents.splice(0);
  }
}
