import type { Bar } from "@/lib/core/data/bars";
import type { Clock, MarketDataPort, Tick, Unsubscribe } from "@/lib/core/ports";
import type { GatewayClient } from "./gateway-client";

/** The part of the gateway client market data needs. */
export type QuoteGateway = Pick<GatewayClient, "subscribeQuotes" | "on" | "off">;

export interface MarketDataError {
  readonly symbol: string;
  readonly code: number;
  readonly message: string;
}

/** Market-data codes that are notices, not a broken feed: the data keeps coming (delayed or partial). */
const NON_FATAL_DATA_CODES = new Set([10167, 10090, 2104, 2106, 2158]);

/**
 * Builds time bars from trade prints: a bar covers [start, start + interval) and is complete
 * when the first print of a later interval arrives, or when {@link flush} is called past its end.
 */
export class BarBuilder {
  private current: Bar | undefined;

  constructor(private readonly intervalMs: number) {
    if (!(intervalMs > 0)) throw new RangeError(`bar interval must be positive, got ${intervalMs}`);
  }

  /** Adds a print; returns the bar it completed, if any. */
  add(time: number, price: number, size: number): Bar | undefined {
    const start = time - (time % this.intervalMs);
    const bar = this.current;
    if (bar && start === bar.time) {
      if (price > bar.high) bar.high = price;
      if (price < bar.low) bar.low = price;
      bar.close = price;
      bar.volume += size;
      return undefined;
    }
    this.current = { time: start, open: price, high: price, low: price, close: price, volume: size };
    return bar && start > bar.time ? bar : undefined;
  }

  /** The open bar if `now` is past its end (no print arrived to close it). */
  flush(now: number): Bar | undefined {
    const bar = this.current;
    if (!bar || now < bar.time + this.intervalMs) return undefined;
    this.current = undefined;
    return bar;
  }
}

/**
 * The core's market-data port over TWS streaming quotes. Ticks are trade prints (the last
 * price, live or delayed); bars are built from those prints (see BarBuilder), so a bar exists
 * only for intervals in which something traded.
 */
export class IbkrMarketData implements MarketDataPort {
  private readonly tickListeners = new Map<string, Set<(tick: Tick) => void>>();
  private readonly errorListeners = new Set<(error: MarketDataError) => void>();
  private readonly detach: Unsubscribe;

  constructor(
    private readonly gateway: QuoteGateway,
    private readonly clock: Clock,
    private readonly barIntervalMs = 60_000,
  ) {
    const onTrade = (symbol: string, price: number) => this.onTrade(symbol, price);
    const onError = (symbol: string, code: number, message: string) => this.onDataError(symbol, code, message);
    gateway.on("lastTrade", onTrade);
    gateway.on("marketDataError", onError);
    this.detach = () => {
      gateway.off("lastTrade", onTrade);
      gateway.off("marketDataError", onError);
    };
  }

  subscribeTicks(symbol: string, listener: (tick: Tick) => void): Unsubscribe {
    let listeners = this.tickListeners.get(symbol);
    if (!listeners) {
      listeners = new Set();
      this.tickListeners.set(symbol, listeners);
      this.gateway.subscribeQuotes(symbol);
    }
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  subscribeBars(symbol: string, listener: (bar: Readonly<Bar>) => void): Unsubscribe {
    const builder = new BarBuilder(this.barIntervalMs);
    const unsubscribe = this.subscribeTicks(symbol, (tick) => {
      const bar = builder.add(tick.time, tick.price, tick.size);
      if (bar) listener(bar);
    });
    const timer = setInterval(() => {
      const bar = builder.flush(this.clock.now());
      if (bar) listener(bar);
    }, Math.min(this.barIntervalMs, 1_000));
    timer.unref();
    return () => {
      clearInterval(timer);
      unsubscribe();
    };
  }

  /** Errors that break a symbol's feed (not the "delayed data instead" notices). */
  onError(listener: (error: MarketDataError) => void): Unsubscribe {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  dispose(): void {
    this.detach();
    this.tickListeners.clear();
    this.errorListeners.clear();
  }

  private onTrade(symbol: string, price: number): void {
    const listeners = this.tickListeners.get(symbol);
    if (!listeners || listeners.size === 0) return;
    // TWS sends the print's size as a separate tick; the strategies here use prices only.
    const tick: Tick = { symbol, time: this.clock.now(), price, size: 0 };
    for (const listener of listeners) listener(tick);
  }

  private onDataError(symbol: string, code: number, message: string): void {
    if (NON_FATAL_DATA_CODES.has(code)) return;
    for (const listener of this.errorListeners) listener({ symbol, code, message });
  }
}
