import { z } from "zod";
import type { Bar } from "@/lib/core/data/bars";
import { Ema } from "@/lib/core/indicators";
import type { EventSink, Unsubscribe } from "@/lib/core/ports";
import { AtrTrailingStop, atrTrailingStopSchema } from "@/lib/core/strategies/exits/atr-trailing-stop";
import { TradeTracker, withExits, type ExitRule } from "@/lib/core/strategies/exits/exit-rule";
import { LockInStop, lockInStopSchema } from "@/lib/core/strategies/exits/lock-in-stop";
import { PartialTakeProfit, partialTakeProfitSchema } from "@/lib/core/strategies/exits/partial-take-profit";
import type { Strategy, StrategyContext } from "@/lib/core/strategies/types";

/**
 * How an open position is looked after once its entry has filled. Every part is optional;
 * stops only ever move in the trade's favour (the engine refuses a looser one).
 */
export const monitorSchema = z
  .object({
    /** Stop `multiple` x ATR behind the close, ratcheted bar by bar. */
    atrTrailingStop: atrTrailingStopSchema.optional(),
    /** Stop this percentage below the highest price since entry (above the lowest, short). */
    trailFromExtremePercent: z.number().positive().max(50).optional(),
    /** Scale out in steps at multiples of R. */
    partialTakeProfit: partialTakeProfitSchema.optional(),
    /** Fixed stop that moves once, to break-even or better, when a threshold is reached. */
    lockIn: lockInStopSchema.optional(),
    /** Close when the bar closes through this EMA against the trade. */
    emaExitPeriod: z.number().int().min(2).max(500).optional(),
  })
  .default({});

export type MonitorConfig = z.output<typeof monitorSchema>;

/** Tracks the best price since entry and trails a stop behind it. */
export class ExtremeTrail implements ExitRule {
  private readonly tracker = new TradeTracker();
  private extreme = NaN;

  constructor(private readonly percent: number) {}

  /** Highest price since entry for a long, lowest for a short; NaN when flat. */
  get bestSinceEntry(): number {
    return this.extreme;
  }

  onFill(_fill: unknown, context: StrategyContext): void {
    if (this.tracker.opened(context)) this.extreme = context.entryPrice;
    if (context.position === 0) this.extreme = NaN;
  }

  onBar(bar: Readonly<Bar>, context: StrategyContext): void {
    const side = Math.sign(context.position);
    if (side === 0 || Number.isNaN(this.extreme)) return;
    const best = side > 0 ? Math.max(this.extreme, bar.high) : Math.min(this.extreme, bar.low);
    if (best === this.extreme && !Number.isNaN(context.stopPrice)) return;
    this.extreme = best;
    const stopPrice = best * (1 - (side * this.percent) / 100);
    context.submit({ kind: "protect", stopPrice, reason: `trailing ${this.percent}% from the best price since entry (${best})` });
  }
}

/** Exits when a bar closes through the EMA against the position. */
export class EmaExit implements ExitRule {
  private readonly ema: Ema;

  constructor(private readonly period: number) {
    this.ema = new Ema(period);
  }

  onBar(bar: Readonly<Bar>, context: StrategyContext): void {
    const average = this.ema.update(bar.close);
    const side = Math.sign(context.position);
    if (side === 0 || Number.isNaN(average)) return;
    if ((side > 0 && bar.close < average) || (side < 0 && bar.close > average)) {
      context.submit({ kind: "exit", reason: `closed through the ${this.period}-bar EMA (${average.toFixed(4)})` });
    }
  }
}

export function exitRulesFor(config: MonitorConfig): ExitRule[] {
  const rules: ExitRule[] = [];
  if (config.lockIn) rules.push(new LockInStop(config.lockIn));
  if (config.atrTrailingStop) rules.push(new AtrTrailingStop(config.atrTrailingStop));
  if (config.trailFromExtremePercent !== undefined) rules.push(new ExtremeTrail(config.trailFromExtremePercent));
  if (config.partialTakeProfit) rules.push(new PartialTakeProfit(config.partialTakeProfit));
  if (config.emaExitPeriod !== undefined) rules.push(new EmaExit(config.emaExitPeriod));
  return rules;
}

/** The strategy with the monitor's exit rules run after it on every bar and fill. */
export function monitored(strategy: Strategy, config: MonitorConfig): Strategy {
  const rules = exitRulesFor(config);
  return rules.length === 0 ? strategy : withExits(strategy, ...rules);
}

export interface HeldPosition {
  readonly symbol: string;
  readonly position: number;
  flatten(reason: string): void;
}

export interface DataErrorSource {
  onError(listener: (error: { symbol: string; code: number; message: string }) => void): Unsubscribe;
}

/**
 * A held symbol whose market data breaks is closed at market and an alert raised: a position
 * nobody can see must not stay open.
 */
export function closeOnDataError(source: DataErrorSource, held: () => Iterable<HeldPosition>, events: EventSink, now: () => number): Unsubscribe {
  return source.onError(({ symbol, code, message }) => {
    for (const holding of held()) {
      if (holding.symbol !== symbol || holding.position === 0) continue;
      holding.flatten(`market data for ${symbol} failed (${code}: ${message})`);
      events.emit({ type: "error", time: now(), message: `${symbol}: market data failed (${code}: ${message}); position of ${holding.position} closed` });
    }
  });
}
