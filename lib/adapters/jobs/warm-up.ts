import type { BarSeries } from "@/lib/core/data/bars";
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

const DAY_MS = 86_400_000;
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

/** Seeded daily bars, a random walk around 100 (mulberry32: the same bars on every machine), without a symbol, as loadBars returns them. */
export function warmUpBars(length = WARM_UP_BARS, seed = WARM_UP_SEED): BarSeries {
  const columns = { time: new Float64Array(length), open: new Float64Array(length), high: new Float64Array(length), low: new Float64Array(length), close: new Float64Array(length), volume: new Float64Array(length) };
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let price = 100;
  for (let index = 0; index < length; index++) {
    const open = price;
    price = Math.max(1, price * Math.exp(-0.002 * Math.log(price / 100) + (random() - 0.5) * 0.03));
    const close = Math.round(price * 100) / 100;
    columns.time[index] = Date.UTC(2010, 0, 4) + index * DAY_MS;
    columns.open[index] = open;
    columns.close[index] = close;
    columns.high[index] = Math.max(open, close) * (1 + random() * 0.01);
    columns.low[index] = Math.min(open, close) * (1 - random() * 0.01);
    columns.volume[index] = 1_000 + Math.floor(random() * 10_000);
    price = close;
  }
  return { length, ...columns };
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
