import type { BarSeries } from "@/lib/core/data/bars";
import { syntheticDailyBars } from "@/lib/core/data/synthetic-bars";
import { runSettingsSchema, validationSchema, type ParameterSet } from "@/lib/core/research";
import type { StrategyName } from "@/lib/core/strategies/registry";
import type { EvaluationTask } from "./thread-pool";

/**
 * The synthetic work a compute thread runs before it reports ready. A fresh thread spends its
 * first second or so of real work compiling hot code (V8's optimising compiler, on helper
 * threads that then compete with the other workers for the cores); a thread that has already
 * evaluated a few hundred runs through the same code path starts its first chunk optimised.
 * Everything is seeded and in memory: nothing is read from or written to the database.
 *
 * The warm-up's objects have the shapes a real chunk's have (bars as the bar store loads them,
 * settings and validation as a stored sweep spec holds them, all of it through JSON): code V8
 * optimised for other shapes deoptimises on the first real chunk and is compiled again.
 */

const WARM_UP_BARS = 1_000;
const WARM_UP_SEED = 20_240_601;

/** Parameter sets per strategy, varied as a sweep varies them; none for a strategy that needs a trained model file. */
const WARM_UP_PARAMETER_SETS: Record<StrategyName, readonly ParameterSet[]> = {
  "ma-cross": crossPairs({ fast: [3, 5, 8, 12, 20, 30], slow: [25, 40, 60, 90] }).flatMap((pair) => [
    pair,
    { ...pair, average: "ema" },
    { ...pair, mode: "cross", longOnly: false },
  ]),
  "golden-cross": crossPairs({ fast: [20, 50], slow: [100, 200] }),
  "rsi-vwap": [{}, { rsiPeriod: 7, oversold: 25, overbought: 75 }],
  "rl-policy": [],
};

/** Each strategy's sets are evaluated this many times over: optimising a function takes many calls. */
const WARM_UP_ROUNDS = 30;

function crossPairs(values: { fast: number[]; slow: number[] }): ParameterSet[] {
  return values.fast.flatMap((fast) => values.slow.filter((slow) => fast < slow).map((slow) => ({ fast, slow })));
}

/** Seeded daily bars (the same on every machine), without a symbol, as loadBars returns them. */
export function warmUpBars(length = WARM_UP_BARS, seed = WARM_UP_SEED): BarSeries {
  return syntheticDailyBars(length, { seed, start: Date.UTC(2010, 0, 4), meanReversion: 0.002 });
}

/**
 * The tasks of a warm-up, in order: every strategy with parameter sets, on a series in UTC (the
 * bar store's default time zone) without walk-forward windows (a sweep request's default).
 * Settings and validation are parsed with their defaults and each task goes through JSON, as a
 * chunk's task is built from a stored spec.
 *
 * Other time zones and walk-forward windows are left to the sweeps that use them: code V8 has
 * seen take those paths as well runs the default ones slower from then on (measured on a
 * 5,000-bar ma-cross sweep in UTC without windows: about 20% more compute per run after a
 * warm-up that also covered a New York series and rolling windows), while compiling them on a
 * sweep's first chunks costs a worker a fraction of a second once.
 */
export function warmUpTasks(): EvaluationTask[] {
  const series = { symbol: "WARM", timeZone: "UTC" };
  const validation = validationSchema.parse({ mode: "none", holdoutFraction: 0 });
  const tasks: EvaluationTask[] = [];
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    for (const [strategy, parameters] of Object.entries(WARM_UP_PARAMETER_SETS)) {
      if (parameters.length === 0) continue;
      const task: EvaluationTask = { strategy, parameters, settings: runSettingsSchema.parse({ fractional: round % 3 !== 2 }), series, validation };
      tasks.push(JSON.parse(JSON.stringify(task)) as EvaluationTask);
    }
  }
  return tasks;
}
