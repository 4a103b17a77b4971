import { withSlippage } from "../backtest/fill-model";
import type { Instrument } from "../model/instrument";
import { ACTION_COUNT, Action } from "./actions";
import { envConfigSchema, fastCostsOf, type EnvConfig, type EnvConfigInput, type FastCosts } from "./config";
import type { PreparedMarket } from "./env";
import { writeObservation } from "./env";
import { episodeBounds } from "./episodes";
import { OBSERVATION_SIZE } from "./features";
import { createRng, type Rng } from "./random";

/** N environments stepped in one call over flat typed arrays (row i of `observations` is env i). */
export interface VecEnv {
  readonly numEnvs: number;
  readonly observationSize: number;
  readonly actionCount: number;
  reset(observations: Float32Array): void;
  /** Auto-resets finished environments: `observations` then holds the new episode's first observation. */
  step(actions: ArrayLike<number>, observations: Float32Array, rewards: Float32Array, dones: Uint8Array): void;
}

/**
 * The training twin of `TradingEnv`: same features, sizing (all-in, whole lots), fill timing,
 * slippage and commission schedule, computed in floats over typed arrays. A test holds it to
 * the engine-backed environment's cash and positions bar by bar.
 */
export class VectorTradingEnv implements VecEnv {
  readonly config: EnvConfig;
  readonly observationSize = OBSERVATION_SIZE;
  readonly actionCount = ACTION_COUNT;
  private readonly costs: FastCosts;
  private readonly lot: number;
  private readonly rng: Rng;
  private readonly t: Int32Array;
  private readonly end: Int32Array;
  private readonly cash: Float64Array;
  private readonly quantity: Float64Array;
  private readonly entry: Float64Array;
  private readonly equity: Float64Array;

  constructor(
    private readonly market: PreparedMarket,
    instrument: Instrument,
    readonly numEnvs: number,
    config: EnvConfigInput = {},
    seed = 1,
  ) {
    this.config = envConfigSchema.parse(config);
    this.costs = fastCostsOf(this.config.commission);
    this.lot = instrument.lotSize.toNumber();
    this.rng = createRng(seed);
    this.t = new Int32Array(numEnvs);
    this.end = new Int32Array(numEnvs);
    this.cash = new Float64Array(numEnvs);
    this.quantity = new Float64Array(numEnvs);
    this.entry = new Float64Array(numEnvs);
    this.equity = new Float64Array(numEnvs);
  }

  reset(observations: Float32Array): void {
    for (let i = 0; i < this.numEnvs; i++) this.resetOne(i, observations);
  }

  /** Starts env `i` at a pinned bar (used to replay the reference environment's episode). */
  resetAt(i: number, start: number, observations: Float32Array): void {
    this.startEpisode(i, start, Math.min(start + this.config.episodeLength, this.market.bars.length - 1));
    this.observe(i, observations);
  }

  step(actions: ArrayLike<number>, observations: Float32Array, rewards: Float32Array, dones: Uint8Array): void {
    const { bars } = this.market;
    const { rewardScale, initialCapital, tradePenalty, losingHoldPenalty, fill, slippageBps } = this.config;
    const nextOpen = fill === "next-open";
    for (let i = 0; i < this.numEnvs; i++) {
      const t = this.t[i];
      const close = bars.close[t];
      const action = actions[i];
      let trades = 0;
      if (action === Action.buy && this.quantity[i] === 0) {
        const quantity = this.entryQuantity(this.cash[i], close * (1 + slippageBps / 10_000));
        if (quantity > 0) {
          const price = withSlippage("BUY", nextOpen ? bars.open[t + 1] : close, slippageBps);
          this.cash[i] -= quantity * price + this.costs.commission(quantity, price);
          this.quantity[i] = quantity;
          this.entry[i] = price;
          trades = 1;
        }
      } else if (action === Action.sell && this.quantity[i] > 0) {
        const quantity = this.quantity[i];
        const price = withSlippage("SELL", nextOpen ? bars.open[t + 1] : close, slippageBps);
        this.cash[i] += quantity * price - this.costs.commission(quantity, price);
        this.quantity[i] = 0;
        trades = 1;
      }
      const next = t + 1;
      this.t[i] = next;
      const mark = bars.close[next];
      const equity = this.cash[i] + this.quantity[i] * mark;
      let reward = ((equity - this.equity[i]) / initialCapital) * rewardScale - tradePenalty * trades;
      if (this.quantity[i] > 0 && mark < this.entry[i]) reward -= losingHoldPenalty;
      this.equity[i] = equity;
      rewards[i] = reward;
      const done = next >= this.end[i];
      dones[i] = done ? 1 : 0;
      if (done) this.resetOne(i, observations);
      else this.observe(i, observations);
    }
  }

  /** Cash and position of env `i`, for tests and diagnostics. */
  account(i: number): { cash: number; position: number; barIndex: number } {
    return { cash: this.cash[i], position: this.quantity[i], barIndex: this.t[i] };
  }

  private entryQuantity(cash: number, referencePrice: number): number {
    const raw = this.costs.maxAffordableQuantity(cash, referencePrice);
    const lots = Math.floor(raw / this.lot);
    return lots > 0 ? lots * this.lot : 0;
  }

  private resetOne(i: number, observations: Float32Array): void {
    const { start, end } = episodeBounds(this.market.bars.length, this.market.raw.firstReady, this.config.episodeLength, this.config.randomStart, this.rng);
    this.startEpisode(i, start, end);
    this.observe(i, observations);
  }

  private startEpisode(i: number, start: number, end: number): void {
    this.t[i] = start;
    this.end[i] = end;
    this.cash[i] = this.config.initialCapital;
    this.quantity[i] = 0;
    this.entry[i] = NaN;
    this.equity[i] = this.config.initialCapital;
  }

  private observe(i: number, observations: Float32Array): void {
    const long = this.quantity[i] > 0;
    writeObservation(this.market, this.t[i], long, long ? this.entry[i] : NaN, this.config.observationNoise, this.rng, observations, i * OBSERVATION_SIZE);
  }
}
