import { runBacktest, type BacktestConfig } from "@/lib/core/backtest/run";
import type { Metrics } from "@/lib/core/backtest/metrics";
import type { BarSeries } from "@/lib/core/data/bars";
import type { Instrument } from "@/lib/core/model/instrument";
import { ActiveFrom } from "@/lib/core/rl/active-from";
import { BuyAndHold } from "@/lib/core/rl/baselines";
import { commissionModelOf, envConfigSchema, type EnvConfigInput } from "@/lib/core/rl/config";
import { assertSpecMatches } from "@/lib/core/rl/features";
import type { RlModel } from "@/lib/core/rl/model";
import { RlPolicyStrategy } from "@/lib/core/rl/policy-strategy";
import { createGoldenCross } from "@/lib/core/strategies/golden-cross";
import type { Strategy } from "@/lib/core/strategies/types";

export interface EvaluationRow {
  readonly strategy: string;
  readonly metrics: Metrics;
}

export interface Evaluation {
  readonly from: number;
  readonly to: number;
  readonly rows: readonly EvaluationRow[];
  readonly beatsBaselines: boolean;
  /** One plain sentence: whether the agent beat buy-and-hold and golden cross on this span. */
  readonly verdict: string;
}

/**
 * Scores the policy next to buy-and-hold and the golden cross on bars from `testFrom` on
 * (earlier bars only warm the indicators up), with the same costs and metrics for all three.
 */
export function evaluatePolicy(model: RlModel, bars: BarSeries, instrument: Instrument, testFrom: number, costs: EnvConfigInput = {}): Evaluation {
  assertSpecMatches(model.featureSpec, bars);
  const config = envConfigSchema.parse(costs);
  const base: Omit<BacktestConfig, "strategy"> = {
    bars,
    instrument,
    initialCapital: config.initialCapital,
    fill: config.fill,
    slippageBps: config.slippageBps,
    commission: commissionModelOf(config.commission),
  };
  const run = (strategy: Strategy): EvaluationRow => ({ strategy: strategy.name, metrics: runBacktest({ ...base, strategy: new ActiveFrom(strategy, testFrom) }).metrics });
  const rows = [run(new RlPolicyStrategy({ model })), run(new BuyAndHold()), run(createGoldenCross())];
  const [agent, ...baselines] = rows;
  const beaten = baselines.filter((row) => agent.metrics.totalReturn > row.metrics.totalReturn);
  const percent = (x: number) => `${(x * 100).toFixed(2)}%`;
  const versus = baselines.map((row) => `${row.strategy} ${percent(row.metrics.totalReturn)}`).join(", ");
  const verdict =
    beaten.length === baselines.length
      ? `The agent beat both baselines: ${percent(agent.metrics.totalReturn)} against ${versus}.`
      : `The agent did NOT beat ${baselines.filter((row) => !beaten.includes(row)).map((row) => row.strategy).join(" and ")}: ${percent(agent.metrics.totalReturn)} against ${versus}.`;
  return { from: testFrom, to: bars.time[bars.length - 1], rows, beatsBaselines: beaten.length === baselines.length, verdict };
}

export function formatEvaluation(evaluation: Evaluation): string {
  const header = "strategy        return    sharpe  max-dd   trades  exposure";
  const lines = evaluation.rows.map(({ strategy, metrics: m }) =>
    [strategy.padEnd(14), pct(m.totalReturn).padStart(8), m.sharpe.toFixed(2).padStart(8), pct(m.maxDrawdown).padStart(8), String(m.tradeCount).padStart(7), pct(m.exposure).padStart(9)].join("  "),
  );
  return [header, ...lines, "", evaluation.verdict].join("\n");
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : "n/a";
}
