import { z } from "zod";
import type { RiskLimits } from "./limits";
import { exposureOf, type Exposure } from "./exposure";
import type { HeldPosition } from "./check";

const lossPct = (name: string) => z.number({ error: `${name} must be a number (percent)` }).positive(`${name} must be above 0`);

/**
 * Per-account loss tiers, as percents of the session's opening equity (daily loss) and of the
 * intraday equity peak (drawdown). Each tier must be at least as deep as the one before.
 */
export const guardianConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    dailyLoss: z
      .object({ warnPct: lossPct("dailyLoss.warnPct"), reducePct: lossPct("dailyLoss.reducePct"), haltPct: lossPct("dailyLoss.haltPct") })
      .default({ warnPct: 1, reducePct: 2, haltPct: 3 }),
    drawdown: z
      .object({ warnPct: lossPct("drawdown.warnPct"), reducePct: lossPct("drawdown.reducePct"), haltPct: lossPct("drawdown.haltPct") })
      .default({ warnPct: 1.5, reducePct: 3, haltPct: 4 }),
  })
  .refine(
    ({ dailyLoss, drawdown }) => [dailyLoss, drawdown].every((tier) => tier.warnPct <= tier.reducePct && tier.reducePct <= tier.haltPct),
    "tiers must deepen: warnPct <= reducePct <= haltPct",
  );

export type GuardianConfig = z.infer<typeof guardianConfigSchema>;

/** Tiers from mildest to deepest. */
export const GUARDIAN_LEVELS = ["normal", "warn", "reducing", "halted"] as const;
export type GuardianLevel = (typeof GUARDIAN_LEVELS)[number];

const LEVEL_ORDER: readonly GuardianLevel[] = GUARDIAN_LEVELS;

export interface GuardianMetrics {
  /** Equity now: net liquidation including unrealized P&L, after commissions. */
  readonly equity: number;
  readonly openingEquity: number;
  readonly peakEquity: number;
  readonly positions: readonly HeldPosition[];
}

export interface GuardianAssessment {
  readonly level: GuardianLevel;
  /** Why, one line per breached threshold; empty when normal. */
  readonly reasons: readonly string[];
  readonly dayPnl: number;
  readonly drawdown: number;
  /** Exposure limits the current holdings break (any of them means REDUCING). */
  readonly overExposed: boolean;
  readonly exposure: Exposure;
}

/** The deepest tier any loss measure or exposure limit calls for. */
export function assessGuardian(config: GuardianConfig, limits: RiskLimits, metrics: GuardianMetrics): GuardianAssessment {
  const dayPnl = metrics.equity - metrics.openingEquity;
  const drawdown = metrics.peakEquity - metrics.equity;
  const reasons: string[] = [];
  const lossLevel = tierFor("daily loss", -dayPnl, metrics.openingEquity, config.dailyLoss, reasons);
  const drawdownLevel = tierFor("drawdown from the intraday peak", drawdown, metrics.peakEquity, config.drawdown, reasons);
  const exposure = exposureOf(metrics.positions);
  const overExposed = exposureBreaches(exposure, metrics.equity, limits, reasons);
  const level = deepest([lossLevel, drawdownLevel, overExposed ? "reducing" : "normal"]);
  return { level, reasons, dayPnl, drawdown, overExposed, exposure };
}

export function deeper(a: GuardianLevel, b: GuardianLevel): boolean {
  return LEVEL_ORDER.indexOf(a) > LEVEL_ORDER.indexOf(b);
}

function deepest(levels: GuardianLevel[]): GuardianLevel {
  return levels.reduce((worst, level) => (deeper(level, worst) ? level : worst), "normal");
}

function tierFor(
  label: string,
  loss: number,
  base: number,
  tiers: GuardianConfig["dailyLoss"],
  reasons: string[],
): GuardianLevel {
  if (!(base > 0) || loss <= 0) return "normal";
  const pct = (loss / base) * 100;
  const level: GuardianLevel = pct >= tiers.haltPct ? "halted" : pct >= tiers.reducePct ? "reducing" : pct >= tiers.warnPct ? "warn" : "normal";
  if (level !== "normal") reasons.push(`${label} ${loss.toFixed(2)} is ${pct.toFixed(2)}% of ${base.toFixed(2)} (${level} at ${thresholdOf(level, tiers)}%)`);
  return level;
}

function thresholdOf(level: GuardianLevel, tiers: GuardianConfig["dailyLoss"]): number {
  return level === "halted" ? tiers.haltPct : level === "reducing" ? tiers.reducePct : tiers.warnPct;
}

function exposureBreaches(exposure: Exposure, equity: number, limits: RiskLimits, reasons: string[]): boolean {
  if (!(equity > 0)) return false;
  const checks: [string, number, number][] = [
    ["gross exposure", exposure.gross, limits.maxGrossExposurePct],
    ["net exposure", exposure.net, limits.maxNetExposurePct],
    [`${exposure.largest?.symbol ?? ""} concentration`, exposure.largest?.value ?? 0, limits.maxConcentrationPct],
  ];
  const breached = checks.filter(([, value, limitPct]) => (value / equity) * 100 > limitPct);
  for (const [label, value, limitPct] of breached) {
    reasons.push(`${label} ${value.toFixed(2)} is ${((value / equity) * 100).toFixed(1)}% of equity, above ${limitPct}%`);
  }
  return breached.length > 0;
}
