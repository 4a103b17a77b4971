import { z } from "zod";
import type { Bar } from "../data/bars";
import { Atr, RollingVwap, Rsi } from "../indicators";
import { distanceSchema, needsAtr, resolveDistance } from "./distance";
import { SessionCalendar, sessionEndSchema } from "./session";
import type { Direction, Strategy, StrategyContext } from "./types";

export const rsiVwapSchema = z
  .object({
    rsiPeriod: z.number().int().positive().default(14),
    oversold: z.number().min(0).max(100).default(30),
    overbought: z.number().min(0).max(100).default(70),
    vwapPeriod: z.number().int().positive().default(20),
    /** Band half-width in volume-weighted standard deviations. */
    bandWidth: z.number().positive().default(2),
    target: distanceSchema.default({ percent: 0.5 }),
    atrPeriod: z.number().int().positive().default(14),
    longOnly: z.boolean().default(false),
  })
  .extend(sessionEndSchema.shape)
  .refine((params) => params.oversold < params.overbought, { message: "oversold must be below overbought", path: ["oversold"] });

export type RsiVwapParams = z.input<typeof rsiVwapSchema>;

/** Stop distance as a fraction of the target distance, on the other side of the entry. */
const STOP_TO_TARGET = 0.5;

/**
 * Intraday mean reversion: buy an oversold close under the lower VWAP band, short an
 * overbought close over the upper band. Every entry is a bracket (target, stop at half the
 * target distance). Flat from the session end, and never holds across a local date.
 */
export class RsiVwapReversal implements Strategy {
  readonly name = "rsi-vwap";
  private readonly params: z.infer<typeof rsiVwapSchema>;
  private readonly rsi: Rsi;
  private readonly vwap: RollingVwap;
  private readonly atr: Atr;
  private readonly calendar: SessionCalendar;
  private readonly priceVolume = { price: 0, volume: 0 };
  private entryDay = NaN;

  constructor(params: RsiVwapParams = {}) {
    this.params = rsiVwapSchema.parse(params);
    this.rsi = new Rsi(this.params.rsiPeriod);
    this.vwap = new RollingVwap(this.params.vwapPeriod, this.params.bandWidth);
    this.atr = new Atr(this.params.atrPeriod);
    this.calendar = new SessionCalendar(this.params.timeZone, this.params.sessionEnd);
  }

  onBar(bar: Readonly<Bar>, context: StrategyContext): void {
    const rsi = this.rsi.update(bar.close);
    this.priceVolume.price = (bar.high + bar.low + bar.close) / 3;
    this.priceVolume.volume = bar.volume;
    const bands = this.vwap.update(this.priceVolume);
    const atr = this.atr.update(bar);
    const time = context.now();
    if (context.position !== 0) {
      const staleDay = this.calendar.localDay(time) !== this.entryDay;
      if (staleDay || this.calendar.isAfterSessionEnd(time)) context.submit({ kind: "exit", reason: "rsi-vwap: session end" });
      return;
    }
    if (context.entryPending || this.calendar.isAfterSessionEnd(time)) return;
    const direction = this.signal(rsi, bar.close, bands.lower, bands.upper);
    if (direction !== undefined) this.enter(direction, bar.close, atr, context);
  }

  onFill(_fill: unknown, context: StrategyContext): void {
    if (context.position !== 0 && Number.isNaN(this.entryDay)) this.entryDay = this.calendar.localDay(context.now());
    if (context.position === 0) this.entryDay = NaN;
  }

  private signal(rsi: number, close: number, lower: number, upper: number): Direction | undefined {
    if (rsi < this.params.oversold && close < lower) return "long";
    if (rsi > this.params.overbought && close > upper && !this.params.longOnly) return "short";
    return undefined;
  }

  private enter(direction: Direction, close: number, atr: number, context: StrategyContext): void {
    const { target } = this.params;
    const distance = resolveDistance(target, close, atr);
    if (!(distance > 0) || (needsAtr(target) && Number.isNaN(atr))) return;
    const sign = direction === "long" ? 1 : -1;
    context.submit({
      kind: "enter",
      direction,
      reason: `rsi-vwap: ${direction === "long" ? "oversold under the lower" : "overbought over the upper"} VWAP band`,
      takeProfit: close + sign * distance,
      stopLoss: close - sign * distance * STOP_TO_TARGET,
    });
  }
}
