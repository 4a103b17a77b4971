import { SimulatedBroker } from "../backtest/simulated-broker";
import { readBarInto, type Bar, type BarSeries } from "../data/bars";
import { TradingEngine } from "../engine/engine";
import type { Instrument } from "../model/instrument";
import { Portfolio } from "../model/portfolio";
import type { DomainEvent, EventSink } from "../ports";
import type { Strategy, StrategyContext } from "../strategies/types";
import { ACTION_COUNT, submitAction } from "./actions";
import { commissionModelOf, envConfigSchema, type EnvConfig, type EnvConfigInput } from "./config";
import { episodeBounds } from "./episodes";
import {
  MARKET_FEATURE_COUNT,
  OBSERVATION_SIZE,
  computeMarketFeatures,
  fitNormalisation,
  normaliseInPlace,
  writeAgentFeatures,
  type MarketFeatures,
  type Normalisation,
} from "./features";
import { createRng, type Rng } from "./random";

export interface StepInfo {
  /** Time of the bar the observation now describes. */
  readonly time: number;
  readonly cash: number;
  readonly position: number;
  /** Cash plus the position marked at the current bar's close. */
  readonly equity: number;
  readonly trades: number;
  readonly commission: number;
}

export interface StepResult {
  readonly observation: Float32Array;
  readonly reward: number;
  readonly done: boolean;
  readonly info: StepInfo;
}

/** Bars with their features computed once, and the standardisation the observations use. */
export interface PreparedMarket {
  readonly bars: BarSeries;
  readonly raw: MarketFeatures;
  /** Standardised and clipped market features, row-major, NaN while warming up. */
  readonly normalised: Float32Array;
  readonly normalisation: Normalisation;
}

export function prepareMarket(bars: BarSeries, config: EnvConfig, normalisation?: Normalisation): PreparedMarket {
  const raw = computeMarketFeatures(bars, config.features);
  const stats = normalisation ?? fitNormalisation(raw);
  const normalised = Float32Array.from(raw.values);
  for (let i = raw.firstReady; i < bars.length; i++) normaliseInPlace(normalised, i * MARKET_FEATURE_COUNT, stats);
  return { bars, raw, normalised, normalisation: stats };
}

/** Writes the observation for bar `t` with the agent's state, plus optional seeded noise. */
export function writeObservation(market: PreparedMarket, t: number, long: boolean, entryPrice: number, noise: number, rng: Rng, out: Float32Array, offset = 0): void {
  const source = t * MARKET_FEATURE_COUNT;
  for (let k = 0; k < MARKET_FEATURE_COUNT; k++) out[offset + k] = market.normalised[source + k] + (noise > 0 ? noise * rng.normal() : 0);
  writeAgentFeatures(out, offset + MARKET_FEATURE_COUNT, long, market.bars.close[t], entryPrice);
}

/** Plays the action it is given on the bar the engine shows it. */
class ActionStrategy implements Strategy {
  readonly name = "rl-environment";
  action = 0;
  onBar(_bar: Readonly<Bar>, context: StrategyContext): void {
    submitAction(this.action, context, `rl action ${this.action}`);
  }
}

/** Counts the episode's executions and what they cost. */
class FillCounter implements EventSink {
  trades = 0;
  commission = 0;
  emit(event: DomainEvent): void {
    if (event.type !== "fill") return;
    this.trades++;
    this.commission += event.fill.commission;
  }
}

/**
 * A gym-style trading environment over historical bars. Every order goes through the core's
 * TradingEngine and SimulatedBroker, so sizing, fills, slippage and commission are exactly
 * those of a backtest. `VectorTradingEnv` is its fast twin for training.
 */
export class TradingEnv {
  readonly config: EnvConfig;
  readonly market: PreparedMarket;
  readonly observationSize = OBSERVATION_SIZE;
  readonly actionCount = ACTION_COUNT;
  private readonly rng: Rng;
  private readonly bar: Bar = { time: NaN, open: NaN, high: NaN, low: NaN, close: NaN, volume: NaN };
  private readonly strategy = new ActionStrategy();
  private broker!: SimulatedBroker;
  private engine!: TradingEngine;
  private portfolio!: Portfolio;
  private counter!: FillCounter;
  private t = 0;
  private end = 0;
  private equity = 0;

  constructor(
    bars: BarSeries,
    private readonly instrument: Instrument,
    config: EnvConfigInput = {},
    options: { seed?: number; normalisation?: Normalisation; market?: PreparedMarket } = {},
  ) {
    this.config = envConfigSchema.parse(config);
    this.market = options.market ?? prepareMarket(bars, this.config, options.normalisation);
    this.rng = createRng(options.seed ?? 1);
  }

  /** Starts an episode and returns its first observation. `start` pins the first decision bar. */
  reset(start?: number): Float32Array {
    const { bars, raw } = this.market;
    const bounds = episodeBounds(bars.length, raw.firstReady, this.config.episodeLength, this.config.randomStart, this.rng);
    this.t = start ?? bounds.start;
    this.end = Math.min(this.t + this.config.episodeLength, bars.length - 1);
    if (this.t < raw.firstReady || this.t >= this.end) throw new RangeError(`episode start ${this.t} is outside [${raw.firstReady}, ${bars.length - 2}]`);
    this.buildEngine();
    this.loadBar(this.t);
    this.broker.beginBar(this.bar);
    this.equity = this.config.initialCapital;
    return this.observation();
  }

  step(action: number): StepResult {
    if (this.t >= this.end) throw new Error("step after the episode ended: call reset()");
    if (!(action >= 0 && action < ACTION_COUNT)) throw new RangeError(`action must be 0 (hold), 1 (buy) or 2 (sell), got ${action}`);
    const tradesBefore = this.counter.trades;
    this.strategy.action = action;
    this.engine.onBar(this.bar);
    this.broker.endBar();
    this.t++;
    this.loadBar(this.t);
    this.broker.beginBar(this.bar);
    const position = this.portfolio.position(this.instrument.symbol);
    const equity = this.portfolio.cashAsNumber + position.quantity * this.bar.close;
    const { rewardScale, initialCapital, tradePenalty, losingHoldPenalty } = this.config;
    let reward = ((equity - this.equity) / initialCapital) * rewardScale;
    reward -= tradePenalty * (this.counter.trades - tradesBefore);
    if (position.quantity > 0 && this.bar.close < position.averageCost) reward -= losingHoldPenalty;
    this.equity = equity;
    const done = this.t >= this.end;
    const info: StepInfo = {
      time: this.bar.time,
      cash: this.portfolio.cashAsNumber,
      position: position.quantity,
      equity,
      trades: this.counter.trades,
      commission: this.counter.commission,
    };
    return { observation: this.observation(), reward, done, info };
  }

  /** Index of the bar the current observation describes. */
  get barIndex(): number {
    return this.t;
  }

  private observation(): Float32Array {
    const out = new Float32Array(OBSERVATION_SIZE);
    const position = this.portfolio.position(this.instrument.symbol);
    writeObservation(this.market, this.t, position.quantity > 0, position.averageCost, this.config.observationNoise, this.rng, out);
    return out;
  }

  private buildEngine(): void {
    const { config, instrument } = this;
    const commission = commissionModelOf(config.commission);
    const clock = { now: () => this.bar.time };
    this.engine?.stop();
    this.portfolio = new Portfolio(config.initialCapital);
    this.counter = new FillCounter();
    this.broker = new SimulatedBroker({ instrument, fill: config.fill, slippageBps: config.slippageBps, commission, clock });
    this.engine = new TradingEngine({
      instrument,
      strategy: this.strategy,
      broker: this.broker,
      portfolio: this.portfolio,
      clock,
      commission,
      sizing: { kind: "all-in" },
      sizingSlippageBps: config.slippageBps,
      events: this.counter,
    });
    this.engine.start();
  }

  private loadBar(t: number): void {
    readBarInto(this.market.bars, t, this.bar);
  }
}
