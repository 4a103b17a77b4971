/** Per-instrument quotes driven by a seeded random walk, always on the tick grid. */
import type { Instrument } from "./instruments";
import { priceToTicks, ticksToPrice } from "./prices";
import { deriveSeed, SeededRandom } from "./random";

export interface Quote {
  bid: number;
  ask: number;
  last: number;
  bidSize: number;
  askSize: number;
  lastSize: number;
  /** Shares traded today. */
  volume: number;
  high: number;
  low: number;
  open: number;
  prevClose: number;
}

const ROUND_LOT = 100;
/** Relative volatility over one reference step of 250 ms: roughly 2% over a trading day. */
const STEP_VOLATILITY = 0.00007;
const REFERENCE_STEP_MS = 250;

export class RandomWalk {
  private readonly random: SeededRandom;
  private fairValue: number;
  private quote: Quote;

  constructor(readonly instrument: Instrument, seed: number) {
    this.random = new SeededRandom(deriveSeed(seed, instrument.conId));
    this.fairValue = instrument.startPrice * (1 + (this.random.next() - 0.5) * 0.02);
    const prevClose = this.onGrid(this.fairValue * (1 + (this.random.next() - 0.5) * 0.02));
    this.quote = { ...this.quoteAround(this.fairValue, 0), high: 0, low: 0, open: 0, prevClose };
    this.quote.open = this.quote.last;
    this.quote.high = this.quote.ask;
    this.quote.low = this.quote.bid;
    this.quote.volume = this.random.int(5, 50) * 1000;
  }

  current(): Readonly<Quote> {
    return this.quote;
  }

  /** Advances the walk by `elapsedMs` of simulated time (volatility scales with its square root). */
  step(elapsedMs = REFERENCE_STEP_MS): Readonly<Quote> {
    const scale = Math.sqrt(Math.max(elapsedMs, 1) / REFERENCE_STEP_MS);
    this.fairValue *= Math.exp(STEP_VOLATILITY * scale * this.random.gaussian());
    this.applyFairValue();
    return this.quote;
  }

  /** Quotes around an externally given price (replayed data), with the usual spread and sizes. */
  follow(price: number): Readonly<Quote> {
    this.fairValue = price + this.instrument.minTick / 2;
    this.applyFairValue();
    this.quote.last = this.onGrid(price);
    return this.quote;
  }

  /**
   * Moves the market to `price` (rounded to the tick): bid, ask and last all sit there for this
   * step, a locked market, so limit orders at that price fill on either side. The next step
   * walks on from it with the usual spread.
   */
  moveTo(price: number): Readonly<Quote> {
    const onGrid = this.onGrid(price);
    this.fairValue = onGrid;
    const lastSize = ROUND_LOT;
    this.quote = {
      ...this.quote,
      bid: onGrid,
      ask: onGrid,
      last: onGrid,
      lastSize,
      volume: this.quote.volume + lastSize,
      high: Math.max(this.quote.high, onGrid),
      low: Math.min(this.quote.low, onGrid),
    };
    return this.quote;
  }

  private applyFairValue(): void {
    const next = this.quoteAround(this.fairValue, this.quote.volume);
    this.quote = {
      ...next,
      high: Math.max(this.quote.high, next.ask),
      low: Math.min(this.quote.low, next.bid),
      open: this.quote.open,
      prevClose: this.quote.prevClose,
    };
  }

  private onGrid(price: number): number {
    return ticksToPrice(priceToTicks(price, this.instrument.minTick), this.instrument.minTick);
  }

  private quoteAround(fairValue: number, volumeSoFar: number): Omit<Quote, "high" | "low" | "open" | "prevClose"> {
    const tick = this.instrument.minTick;
    const bidTicks = Math.floor(fairValue / tick);
    const spreadTicks = this.random.next() < 0.8 ? 1 : 2;
    const bid = ticksToPrice(bidTicks, tick);
    const ask = ticksToPrice(bidTicks + spreadTicks, tick);
    const lotsAround = Math.max(1, Math.round(this.instrument.typicalQuoteSize / ROUND_LOT));
    const lastSize = ROUND_LOT * this.random.int(1, 5);
    return {
      bid,
      ask,
      last: this.random.next() < 0.5 ? bid : ask,
      bidSize: ROUND_LOT * this.random.int(1, 2 * lotsAround),
      askSize: ROUND_LOT * this.random.int(1, 2 * lotsAround),
      lastSize,
      volume: volumeSoFar + lastSize,
    };
  }
}
