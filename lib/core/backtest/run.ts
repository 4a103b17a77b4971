import { readBarInto, type Bar, type BarSeries } from "../data/bars";
import { TradingEngine } from "../engine/engine";
import type { Sizing } from "../engine/sizing";
import { zeroCommission, type CommissionModel } from "../model/commission";
import type { Instrument } from "../model/instrument";
import type { OrderRequest } from "../model/order";
import { Portfolio } from "../model/portfolio";
import type { Position } from "../model/position";
import type { AverageCache } from "../indicators";
import type { DomainEvent, EventSink, RiskGate } from "../ports";
import { SessionCalendar } from "../strategies/session";
import type { Strategy } from "../strategies/types";
import type { FillTiming } from "./fill-model";
import { checkDayEnds, computeMetrics, dayEnds, type EquityCurve, type Metrics, type StretchVisitor } from "./metrics";
import { SimulatedBroker } from "./simulated-broker";
import { TradeRecorder, type Trade } from "./trades";

export interface BacktestConfig {
  readonly bars: BarSeries;
  readonly instrument: Instrument;
  readonly strategy: Strategy;
  readonly initialCapital: number;
  readonly fill: FillTiming;
  readonly slippageBps?: number;
  readonly commission?: CommissionModel;
  readonly sizing?: Sizing;
  readonly fractional?: boolean;
  readonly risk?: RiskGate;
  /** Receives every domain event as well as the backtest's own recorder. */
  readonly events?: EventSink;
  readonly onProgress?: (barsDone: number, barsTotal: number) => void;
  /** Batch averages of `bars.close` to share between runs over the same bars (a sweep). */
  readonly averages?: AverageCache;
  /** {@link dayEnds} of `bars.time` in the instrument's zone, to share between runs over the same bars. */
  readonly dayEnds?: Uint8Array;
  /**
   * Receives the daily returns the metrics are read from (`metrics.dailyReturns` of them), for a
   * caller that reads them again; at least one shorter than `bars`. Runs may share one.
   */
  readonly dailyReturnsInto?: Float64Array;
}

export interface BacktestResult {
  readonly metrics: Metrics;
  readonly trades: readonly Trade[];
  readonly curve: EquityCurve;
  readonly orders: readonly OrderRequest[];
  /** True when a position was still open after the last bar and was closed at its close. */
  readonly closedAtEnd: boolean;
}

const PROGRESS_EVERY = 1 << 16;

/** The events the recorder keeps for the result: all a run without an event sink needs built. */
const RECORDED_EVENTS: ReadonlySet<DomainEvent["type"]> = new Set(["order", "fill"]);

/** Runs one strategy over a bar series through the same engine the live bot uses. */
export function runBacktest(config: BacktestConfig): BacktestResult {
  const { bars, instrument } = config;
  if (config.dayEnds) checkDayEnds(config.dayEnds, bars.length);
  const commission = config.commission ?? zeroCommission;
  const bar: Bar = { time: NaN, open: NaN, high: NaN, low: NaN, close: NaN, volume: NaN };
  const clock = { now: () => bar.time };
  const portfolio = new Portfolio(config.initialCapital);
  const broker = new SimulatedBroker({ instrument, fill: config.fill, slippageBps: config.slippageBps ?? 0, commission, clock });
  const recorder = new BacktestRecorder(config.events);
  const engine = new TradingEngine({
    instrument,
    strategy: config.strategy,
    broker,
    portfolio,
    clock,
    commission,
    sizing: config.sizing ?? { kind: "all-in" },
    fractional: config.fractional ?? false,
    sizingSlippageBps: config.slippageBps ?? 0,
    risk: config.risk,
    events: recorder,
    eventTypes: config.events === undefined ? RECORDED_EVENTS : undefined,
    keepsFinishedOrders: false,
  });
  engine.start();
  config.strategy.prepare?.(bars, config.averages);
  const position = portfolio.position(instrument.symbol);
  const curve = new AccountCurve(bars, config.initialCapital, dayReader(instrument.timeZone), config.dayEnds);
  const replay = new BarReplay({ bars, bar, broker, engine, recorder, portfolio, position, curve, onProgress: config.onProgress });
  for (let i = 0; i < bars.length; i++) i += replay.step(i);
  const closedAtEnd = position.quantity !== 0;
  if (closedAtEnd) {
    engine.flatten("end of data: closed at the last close");
    broker.settleMarketOrdersAtClose();
    curve.closeOut(portfolio.cashAsNumber);
  }
  broker.cancelAll();
  engine.stop();
  config.onProgress?.(bars.length, bars.length);
  return { metrics: computeMetrics(curve, recorder.trades.trades, config.dailyReturnsInto), trades: recorder.trades.trades, curve, orders: recorder.orders, closedAtEnd };
}

interface ReplayParts {
  readonly bars: BarSeries;
  /** The one bar object the engine and broker see, refilled for each bar. */
  readonly bar: Bar;
  readonly broker: SimulatedBroker;
  readonly engine: TradingEngine;
  readonly recorder: BacktestRecorder;
  readonly portfolio: Portfolio;
  /** The instrument's position in `portfolio`. */
  readonly position: Position;
  readonly curve: AccountCurve;
  readonly onProgress: ((barsDone: number, barsTotal: number) => void) | undefined;
}

/**
 * Feeds bars to the broker and the engine one at a time and records the account after each. A method
 * called once per bar the engine sees, not one long loop: it is optimized whole and stays so
 * from one run to the next.
 */
class BarReplay {
  /** Cash only moves on a fill: read it again only after one. */
  private cash: number;
  private fillsSeen = 0;

  constructor(private readonly parts: ReplayParts) {
    this.cash = parts.portfolio.cashAsNumber;
  }

  /** Replays bar `i`, then passes over the idle bars after it; returns how many it passed. */
  step(i: number): number {
    const { bars, bar, broker, engine, recorder, curve, onProgress } = this.parts;
    const { length } = bars;
    readBarInto(bars, i, bar);
    broker.beginBar(bar);
    engine.onBar(bar);
    broker.endBar();
    if (recorder.fills !== this.fillsSeen) {
      this.fillsSeen = recorder.fills;
      this.cash = this.parts.portfolio.cashAsNumber;
    }
    curve.hold(i, this.cash, this.parts.position.quantity);
    if (onProgress && (i + 1) % PROGRESS_EVERY === 0) onProgress(i + 1, length);
    const skipped = broker.isIdle ? engine.skipIdleBars(skipLimit(i, length, onProgress !== undefined)) : 0;
    if (skipped > 0) broker.skipIdleBars(skipped);
    return skipped;
  }
}

/**
 * How many bars after `i` may be passed over: never the last bar (a close-out after it reads the
 * engine's last price and the current bar), nor a bar that reports progress.
 */
function skipLimit(i: number, length: number, reportsProgress: boolean): number {
  const rest = length - i - 2;
  return reportsProgress ? Math.min(rest, PROGRESS_EVERY - 1 - ((i + 1) % PROGRESS_EVERY)) : rest;
}

/**
 * A backtest's equity curve as the account held it: cash and position move only on a fill, so
 * they are kept per run of bars, and a bar's equity is its run's cash + position x its close. The
 * metrics read it stretch by stretch; its whole arrays are made only if someone reads them.
 */
class AccountCurve implements EquityCurve {
  readonly time: Float64Array;
  /** First bar of each run, and the cash and position over it. */
  private readonly starts: number[] = [];
  private readonly cash: number[] = [];
  private readonly held: number[] = [];
  /** The last bar's equity after the position left open was closed at its close. */
  private closedOutEquity: number | undefined;
  private arrays: { equity: Float64Array; inPosition: Uint8Array } | undefined;

  constructor(
    private readonly bars: BarSeries,
    readonly initialCapital: number,
    readonly dayOf: (time: number) => number,
    readonly dayEnds: Uint8Array | undefined,
  ) {
    this.time = bars.time;
  }

  /** From bar `i` on (until the next call), the account holds `cash` and `held`. */
  hold(i: number, cash: number, held: number): void {
    const run = this.starts.length - 1;
    if (run >= 0 && Object.is(this.cash[run], cash) && Object.is(this.held[run], held)) return;
    this.starts.push(i);
    this.cash.push(cash);
    this.held.push(held);
  }

  closeOut(equity: number): void {
    this.closedOutEquity = equity;
  }

  get equity(): Float64Array {
    return this.wholeArrays().equity;
  }

  get inPosition(): Uint8Array {
    return this.wholeArrays().inPosition;
  }

  forEachStretch(from: number, to: number, visitor: StretchVisitor): void {
    const { starts, cash, held, closedOutEquity } = this;
    const { close, length } = this.bars;
    let run = runOf(starts, from);
    // The last bar, when the position left open was closed at its close, has that equity instead.
    const closedOut = closedOutEquity !== undefined && from < length && length <= to;
    const end = closedOut ? length - 1 : to;
    for (let start = from; start < end; run++) {
      const runEnd = run + 1 < starts.length ? Math.min(end, starts[run + 1]) : end;
      visitor.stretch(start, runEnd, cash[run], held[run], close, 0);
      start = runEnd;
    }
    // -0 + 1 × equity is that equity exactly; the position was held into that bar's close.
    if (closedOut) visitor.stretch(length - 1, length, -0, 1, Float64Array.of(closedOutEquity), length - 1);
  }

  private wholeArrays(): { equity: Float64Array; inPosition: Uint8Array } {
    if (this.arrays === undefined) {
      const length = this.time.length;
      const arrays = { equity: new Float64Array(length), inPosition: new Uint8Array(length) };
      this.forEachStretch(0, length, {
        stretch: (from, to, cash, held, prices, offset) => {
          for (let i = from; i < to; i++) arrays.equity[i] = cash + held * prices[i - offset];
          arrays.inPosition.fill(held === 0 ? 0 : 1, from, to);
        },
      });
      this.arrays = arrays;
    }
    return this.arrays;
  }
}

/** The run bar `bar` falls in: the last whose start is at or before it (binary search). */
function runOf(starts: readonly number[], bar: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle] <= bar) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** Which of `time`'s bars end their day on the instrument's exchange calendar (see {@link BacktestConfig.dayEnds}). */
export function instrumentDayEnds(time: Float64Array, instrument: Instrument): Uint8Array {
  return dayEnds(time, dayReader(instrument.timeZone));
}

/** A run's equity curve, its days those of the instrument's exchange calendar. */
export function equityCurve(time: Float64Array, equity: Float64Array, inPosition: Uint8Array, initialCapital: number, instrument: Instrument): EquityCurve {
  return { time, equity, inPosition, initialCapital, dayOf: dayReader(instrument.timeZone) };
}

const dayReaders = new Map<string, (instant: number) => number>();

/**
 * The local day of an instant in `timeZone`, one function per zone for the process: the metrics
 * call it once per bar, and the same function from one run to the next stays inlined there.
 */
function dayReader(timeZone: string): (instant: number) => number {
  let read = dayReaders.get(timeZone);
  if (read === undefined) {
    const calendar = new SessionCalendar(timeZone, "00:00");
    read = (instant) => calendar.localDay(instant);
    dayReaders.set(timeZone, read);
  }
  return read;
}

/** Keeps what the report needs from the event stream and forwards everything. */
class BacktestRecorder implements EventSink {
  readonly trades = new TradeRecorder();
  readonly orders: OrderRequest[] = [];
  fills = 0;

  constructor(private readonly downstream: EventSink | undefined) {}

  emit(event: DomainEvent): void {
    if (event.type === "order") this.orders.push(event.order);
    if (event.type === "fill") {
      this.fills++;
      this.trades.record(event.fill, event.realizedPnl);
    }
    this.downstream?.emit(event);
  }
}
