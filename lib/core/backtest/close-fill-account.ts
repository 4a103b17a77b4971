import { readBarInto, type Bar, type BarSeries } from "../data/bars";
import { entryQuantity } from "../engine/sizing";
import type { AverageCache } from "../indicators";
import { commissionAmount, type CommissionModel } from "../model/commission";
import type { Instrument } from "../model/instrument";
import type { Side } from "../model/order";
import { Portfolio } from "../model/portfolio";
import type { Position } from "../model/position";
import type { Direction, Strategy, StrategyContext, StrategyIntent } from "../strategies/types";
import type { EquityCurve } from "./metrics";
import { equityCurve } from "./run";
import { TradeRecorder, type Trade } from "./trades";

export interface CloseFillSettings {
  readonly instrument: Instrument;
  readonly initialCapital: number;
  readonly commission: CommissionModel;
  readonly fractional: boolean;
}

/**
 * The engine's arithmetic for one case, without its order book: market orders filled at the
 * deciding bar's close with no slippage, all-in sizing, no risk gate. In that case every order
 * the engine sends fills before the strategy sees another bar, so entries and exits reduce to
 * fills on the same Portfolio, sizing and commission code the engine uses. Parameter sweeps use
 * it; tests hold its results equal to full backtests'. Intents other than market entries and
 * exits are refused.
 */
export class CloseFillAccount implements StrategyContext {
  readonly symbol: string;
  readonly stopPrice = NaN;
  readonly entryPending = false;
  private readonly portfolio: Portfolio;
  private readonly held: Position;
  private readonly recorder = new TradeRecorder();
  private readonly bar: Bar = { time: NaN, open: NaN, high: NaN, low: NaN, close: NaN, volume: NaN };
  private executions = 0;

  constructor(private readonly settings: CloseFillSettings) {
    this.symbol = settings.instrument.symbol;
    this.portfolio = new Portfolio(settings.initialCapital);
    this.held = this.portfolio.position(this.symbol);
  }

  get position(): number {
    return this.held.quantity;
  }

  get entryPrice(): number {
    return this.held.averageCost;
  }

  now(): number {
    return this.bar.time;
  }

  submit(intent: StrategyIntent): void {
    if (Number.isNaN(this.bar.close)) return;
    if (intent.kind === "enter") return this.enter(intent.direction);
    if (intent.kind === "exit" && intent.quantity === undefined) return this.exit();
    throw new Error(`close-fill replay: ${intent.kind} intents need the full engine`);
  }

  /**
   * Feeds every bar to `strategy` and closes what is still open at the last close, as a backtest
   * does. The curve's arrays are views on `buffers`: read them before the buffers' next run.
   */
  run(strategy: Strategy, bars: BarSeries, averages: AverageCache, buffers = runBuffers(bars.length)): { curve: EquityCurve; trades: readonly Trade[] } {
    strategy.prepare?.(bars, averages);
    const { length, close } = bars;
    const { equity, inPosition } = buffers;
    for (let i = 0; i < length; i++) {
      strategy.onBar(readBarInto(bars, i, this.bar), this);
      const cash = this.portfolio.cashAsNumber;
      const held = this.held.quantity;
      // Never past the last bar: the close-out after it fills at its close.
      const last = i + (strategy.skipIdleBars?.(this, length - i - 2) ?? 0);
      for (; i <= last; i++) {
        equity[i] = cash + held * close[i];
        inPosition[i] = held === 0 ? 0 : 1;
      }
      i = last;
    }
    if (this.held.quantity !== 0) {
      this.exit();
      equity[length - 1] = this.portfolio.cashAsNumber;
    }
    const curve = equityCurve(bars.time, equity.subarray(0, length), inPosition.subarray(0, length), this.settings.initialCapital, this.settings.instrument);
    return { curve, trades: this.recorder.trades };
  }

  /** As TradingEngine.enter then sizeEntry, with the exit already filled at the close. */
  private enter(direction: Direction): void {
    const wanted = direction === "long" ? 1 : -1;
    if (Math.sign(this.position) === wanted) return;
    if (this.position !== 0) this.exit();
    const { commission, instrument, fractional } = this.settings;
    const held = this.position;
    const price = this.bar.close;
    const closingCost = held === 0 ? 0 : commissionAmount(commission, Math.abs(held), price);
    const equity = this.portfolio.cashAsNumber + held * price - closingCost;
    const quantity = entryQuantity({ kind: "all-in" }, { equity, price: price * (1 + (wanted * 0) / 10_000), commission, instrument, fractional });
    if (quantity > 0) this.fill(wanted > 0 ? "BUY" : "SELL", quantity);
  }

  private exit(): void {
    const held = this.position;
    if (held !== 0) this.fill(held > 0 ? "SELL" : "BUY", Math.abs(held));
  }

  private fill(side: Side, quantity: number): void {
    const price = this.bar.close;
    const fill = {
      orderId: ++this.executions,
      execId: `sim-${this.executions}`,
      symbol: this.symbol,
      side,
      quantity,
      price,
      commission: commissionAmount(this.settings.commission, quantity, price),
      time: this.bar.time,
    };
    const effect = this.portfolio.applyFill(fill);
    this.recorder.record(fill, effect.realized);
  }
}

export interface RunBuffers {
  readonly equity: Float64Array;
  readonly inPosition: Uint8Array;
}

/** Scratch arrays for runs of up to `length` bars, reusable from one run to the next. */
export function runBuffers(length: number): RunBuffers {
  return { equity: new Float64Array(length), inPosition: new Uint8Array(length) };
}
