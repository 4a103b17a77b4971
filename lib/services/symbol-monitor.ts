import { z } from "zod";
import type { Bar } from "@/lib/core/data/bars";
import { Ema } from "@/lib/core/indicators";
import type { EventSink, Unsubscribe } from "@/lib/core/ports";
import { AtrTrailingStop, atrTrailingStopSchema } from "@/lib/core/strategies/exits/atr-trailing-stop";
import { TradeTracker, withExits, type ExitRule } from "@/lib/core/strategies/exits/exit-rule";
import { LockInStop, lockInStopSchema } from "@/lib/core/strategies/exits/lock-in-stop";
import { PartialTakeProfit, partialTakeProfitSchema } from "@/lib/core/strategies/exits/partial-take-profit";
import type { Strategy, StrategyContext, StrategyIntent } from "@/lib/core/strategies/types";

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

/** A position an instance holds again after a restart, as its own fills add it up. */
export interface ResumedTrade {
  /** Signed: positive long, negative short. */
  readonly quantity: number;
  readonly averageCost: number;
  /** When the fill that opened it happened (epoch ms). */
  readonly openedAt: number;
}

/**
 * Feeds past bars to the strategy alone, every intent dropped, so its indicators are ready when
 * live data starts and nothing is traded on history. With `trade` (after a restart) the bars that
 * ended before it opened are fed flat, then one fill of the whole position at its average cost,
 * then the later bars with the position held, so the strategy and its exit rules stand where they
 * did: a trailing stop's best price since entry is the best of those bars (approximate: the bar
 * the entry fell in counts whole), a lock-in stop knows whether it locked, a scale-out knows its
 * trade is open. Returns the tightest stop the exit rules asked for on the trade (NaN: none).
 */
export function replayHistory(strategy: Strategy, symbol: string, bars: readonly Bar[], barMs: number, trade?: ResumedTrade): number {
  let time = 0;
  let position = 0;
  let stopPrice = NaN;
  const tighter = (candidate: number) => Number.isNaN(stopPrice) || (position > 0 ? candidate > stopPrice : candidate < stopPrice);
  const context: StrategyContext = {
    symbol,
    get position() {
      return position;
    },
    get entryPrice() {
      return position === 0 ? NaN : trade!.averageCost;
    },
    get stopPrice() {
      return stopPrice;
    },
    entryPending: false,
    now: () => time,
    submit: (intent: StrategyIntent) => {
      if (intent.kind === "protect" && position !== 0 && tighter(intent.stopPrice)) stopPrice = intent.stopPrice;
    },
  };
  const open = () => {
    position = trade!.quantity;
    time = trade!.openedAt;
    const side = position > 0 ? "BUY" : "SELL";
    strategy.onFill?.({ orderId: 0, execId: "resumed", symbol, side, quantity: Math.abs(position), price: trade!.averageCost, commission: 0, time }, context);
  };
  for (const bar of bars) {
    if (trade && position === 0 && bar.time + barMs > trade.openedAt) open();
    time = bar.time;
    strategy.onBar(bar, context);
  }
  if (trade && position === 0) open();
  return stopPrice;
}

/**
 * The strategy, asking once, on its first live bar, for the stop its exit rules had set on the
 * resumed trade (see `replayHistory`): the engine keeps the stop it took over when that one is as
 * tight, and places or tightens it otherwise.
 */
export function rearmed(strategy: Strategy, stopPrice: number): Strategy {
  if (Number.isNaN(stopPrice)) return strategy;
  let armed = false;
  return {
    name: strategy.name,
    onBar(bar, context) {
      if (!armed && context.position !== 0) context.submit({ kind: "protect", stopPrice, reason: `stop re-armed after a restart (${stopPrice})` });
      armed = true;
      strategy.onBar(bar, context);
    },
    onTick: strategy.onTick && ((tick, context) => strategy.onTick!(tick, context)),
    onFill: strategy.onFill && ((fill, context) => strategy.onFill!(fill, context)),
  };
}

export interface HeldSymbol {
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
export function closeOnDataError(source: DataErrorSource, held: () => Iterable<HeldSymbol>, events: EventSink, now: () => number): Unsubscribe {
  return source.onError(({ symbol, code, message }) => {
    for (const holding of held()) {
      if (holding.symbol !== symbol || holding.position === 0) continue;
      holding.flatten(`market data for ${symbol} failed (${code}: ${message})`);
      events.emit({ type: "error", time: now(), message: `${symbol}: market data failed (${code}: ${message}); position of ${holding.position} closed` });
    }
  });
}
