import { z } from "zod";
import { Atr, type HighLowClose } from "@/lib/core/indicators";
import type { Instrument } from "@/lib/core/model/instrument";
import { oppositeSide, type OrderRequest } from "@/lib/core/model/order";
import { roundOrderPrice, roundQuantity } from "@/lib/core/model/rounding";
import type { BrokerEvent, BrokerPort, Clock, EventSink, Unsubscribe } from "@/lib/core/ports";

export const bracketSpecSchema = z
  .object({
    side: z.enum(["BUY", "SELL"]),
    quantity: z.number().positive("quantity must be positive"),
    /** The entry limit before the pre-market buffer and rounding. */
    entryPrice: z.number().positive("entryPrice must be positive"),
    takeProfit: z.number().positive("takeProfit must be positive"),
    /** A fixed stop price, or a trailing stop `atrMultiple` x `atr` behind the market. */
    stop: z.union([z.object({ price: z.number().positive() }), z.object({ atr: z.number().positive(), atrMultiple: z.number().positive() })]),
    /** Added to a buy limit (taken off a sell limit) outside regular hours, in percent. */
    preMarketBufferPercent: z.number().min(0).max(10).default(0),
    preMarket: z.boolean().default(false),
    reason: z.string().min(1).default("bracket entry"),
  })
  .refine((spec) => (spec.side === "BUY" ? spec.takeProfit > spec.entryPrice : spec.takeProfit < spec.entryPrice), {
    message: "takeProfit must be on the profitable side of entryPrice",
    path: ["takeProfit"],
  });

export type BracketSpec = z.input<typeof bracketSpecSchema>;

/**
 * A parent limit, a take-profit limit and a protective stop (fixed, or an ATR trailing stop),
 * children in one OCA group, every price on the tick grid in the direction that never makes
 * an order more aggressive than asked.
 */
export function buildBracket(instrument: Instrument, ids: readonly [number, number, number], input: BracketSpec): [OrderRequest, OrderRequest, OrderRequest] {
  const spec = bracketSpecSchema.parse(input);
  const [parentId, takeProfitId, stopId] = ids;
  const exit = oppositeSide(spec.side);
  const buffer = spec.preMarket ? spec.preMarketBufferPercent / 100 : 0;
  const entry = spec.entryPrice * (spec.side === "BUY" ? 1 + buffer : 1 - buffer);
  const quantity = roundQuantity(instrument, spec.quantity);
  if (quantity <= 0) throw new RangeError(`quantity ${spec.quantity} is less than one lot of ${instrument.symbol}`);
  const common = { symbol: instrument.symbol, quantity };
  const child = { ...common, side: exit, timeInForce: "GTC" as const, parentId, ocaGroup: `bracket-${parentId}` };
  const parent: OrderRequest = { ...common, id: parentId, side: spec.side, type: "LMT", limitPrice: roundOrderPrice(instrument, spec.side, "limit", entry), timeInForce: "DAY", tag: spec.reason };
  const takeProfit: OrderRequest = { ...child, id: takeProfitId, type: "LMT", limitPrice: roundOrderPrice(instrument, exit, "limit", spec.takeProfit), tag: "take-profit" };
  const stop: OrderRequest =
    "price" in spec.stop
      ? { ...child, id: stopId, type: "STP", stopPrice: roundOrderPrice(instrument, exit, "stop", spec.stop.price), tag: "stop-loss" }
      : { ...child, id: stopId, type: "TRAIL", trail: { amount: trailAmount(instrument, spec.stop.atr * spec.stop.atrMultiple) }, tag: "atr-trailing-stop" };
  return [parent, takeProfit, stop];
}

/** A trail distance on the tick grid, never below one tick (rounded up: a wider trail triggers no earlier). */
export function trailAmount(instrument: Instrument, distance: number): number {
  return Math.max(instrument.tickSize.toNumber(), roundOrderPrice(instrument, "BUY", "stop", distance));
}

/** An ATR trailing stop as buildBracket takes it: a TRAIL child `atrMultiple` x `atr` behind the market. */
export interface AtrTrailingStopSpec {
  atr: number;
  atrMultiple: number;
}

/**
 * Where an entry bracket's limit goes (the reference price, plus the buffer outside regular
 * hours) and, when set, the ATR trailing stop that replaces the engine's fixed stop.
 */
export interface BracketEntryPlan {
  entryPrice: number;
  preMarket: boolean;
  preMarketBufferPercent: number;
  trailingStop?: AtrTrailingStopSpec;
}

/**
 * The ATR trailing stop of one symbol's live brackets: an incremental ATR over every bar the
 * strategy sees (warm-up history included), read when an entry is sized and when its bracket
 * is built, so both use the same distance.
 */
export class AtrBracketStop {
  private readonly atr: Atr;

  constructor(
    private readonly instrument: Instrument,
    readonly settings: { readonly period: number; readonly multiple: number },
  ) {
    this.atr = new Atr(settings.period);
  }

  update(bar: HighLowClose): void {
    this.atr.update(bar);
  }

  /** The trailing stop for a bracket built now; undefined while the ATR is warming up. */
  get current(): AtrTrailingStopSpec | undefined {
    const value = this.atr.value;
    return this.atr.isReady && value > 0 ? { atr: value, atrMultiple: this.settings.multiple } : undefined;
  }

  /** The trail the TRAIL child gets (multiple x ATR on the tick grid, at least one tick); undefined while warming up. */
  get distance(): number | undefined {
    const stop = this.current;
    return stop && trailAmount(this.instrument, stop.atr * stop.atrMultiple);
  }
}

/**
 * A broker port that sends the engine's entry brackets (market parent, take-profit limit, stop,
 * submitted in one turn) through buildBracket: a limit parent at the planned price and the
 * children on the tick grid in one OCA group, under the ids the engine reserved. A bracket
 * buildBracket refuses, and every other order, goes out as the engine made it.
 */
export function limitBrackets<B extends BrokerPort>(inner: B, instrument: Instrument, planFor: () => BracketEntryPlan | undefined, onRefused?: (error: unknown) => void): B {
  let held: HeldEntry | undefined;
  const release = () => {
    const group = held;
    held = undefined;
    if (group) for (const order of asBracket(instrument, group, planFor, onRefused)) inner.submit(order);
  };
  const submit = (request: OrderRequest) => {
    if (held && request.parentId === held.parent.id) {
      held.children.push(request);
      if (held.children.length === 2) release();
      return;
    }
    release();
    if (request.parentId !== undefined || request.type !== "MKT") return inner.submit(request);
    held = { parent: request, children: [] };
    queueMicrotask(release);
  };
  return { ...inner, submit };
}

interface HeldEntry {
  parent: OrderRequest;
  children: OrderRequest[];
}

/** The children arrive in the parent's synchronous turn, so the plan is read with the market as the engine saw it. */
function asBracket(instrument: Instrument, { parent, children }: HeldEntry, planFor: () => BracketEntryPlan | undefined, onRefused?: (error: unknown) => void): OrderRequest[] {
  const [takeProfit, stop] = children;
  const original = [parent, ...children];
  if (takeProfit?.type !== "LMT" || stop?.type !== "STP") return original;
  const plan = planFor();
  if (!plan) return original;
  try {
    return buildBracket(instrument, [parent.id, takeProfit.id, stop.id], {
      side: parent.side,
      quantity: parent.quantity,
      entryPrice: plan.entryPrice,
      takeProfit: takeProfit.limitPrice,
      stop: plan.trailingStop ?? { price: stop.stopPrice },
      preMarket: plan.preMarket,
      preMarketBufferPercent: plan.preMarketBufferPercent,
      reason: parent.tag,
    });
  } catch (error) {
    onRefused?.(error);
    return original;
  }
}

export const riskSizingSchema = z
  .object({
    availableFunds: z.number().nonnegative("availableFunds must not be negative"),
    riskPercent: z.number().positive().max(100, "riskPercent is a percentage of available funds"),
    entryPrice: z.number().positive(),
    /** A fixed stop's price; for a trailing stop give `stopDistance` (its trail amount) instead. */
    stopPrice: z.number().positive().optional(),
    stopDistance: z.number().positive().optional(),
  })
  .refine((input) => (input.stopPrice === undefined) !== (input.stopDistance === undefined), { message: "give either stopPrice or stopDistance", path: ["stopPrice"] });

/**
 * Shares such that hitting the stop loses at most `riskPercent` of the available funds, and
 * the position costs no more than the funds; whole lots, rounded down.
 */
export function riskSizedQuantity(instrument: Instrument, input: z.input<typeof riskSizingSchema>): number {
  const { availableFunds, riskPercent, entryPrice, stopPrice, stopDistance } = riskSizingSchema.parse(input);
  const perShareRisk = stopDistance ?? Math.abs(entryPrice - stopPrice!);
  if (perShareRisk === 0) return 0;
  const byRisk = (availableFunds * riskPercent) / 100 / perShareRisk;
  const byFunds = availableFunds / entryPrice;
  return Math.max(0, roundQuantity(instrument, Math.min(byRisk, byFunds)));
}

/** What the guard needs from a broker port: events, cancels and the brackets it sends. */
export interface BracketBroker {
  onEvent(listener: (event: BrokerEvent) => void): Unsubscribe;
  onBracket(listener: (orders: readonly OrderRequest[]) => void): Unsubscribe;
  cancel(orderId: number): void;
}

export interface BracketGuardOptions {
  broker: BracketBroker;
  events: EventSink;
  clock: Clock;
  /** How long the protective child may take to be acknowledged (Submitted or PreSubmitted). */
  protectionTimeoutMs: number;
}

interface Watch {
  parentId: number;
  symbol: string;
  timer: ReturnType<typeof setTimeout>;
}

const PROTECTIVE_TYPES = new Set(["STP", "STP LMT", "TRAIL"]);

/**
 * "Cancel gracefully if protection isn't live": after a bracket is sent, its protective child
 * must be acknowledged within the timeout; if it is refused or silent, the parent is cancelled
 * (TWS cancels the children with it) and an error event raises the alert.
 */
export class BracketGuard {
  private readonly watches = new Map<number, Watch>();
  private readonly detach: Unsubscribe[];

  constructor(private readonly options: BracketGuardOptions) {
    this.detach = [options.broker.onBracket((orders) => this.watch(orders)), options.broker.onEvent((event) => this.onEvent(event))];
  }

  /** Brackets whose protection is not yet confirmed. */
  get pending(): number {
    return this.watches.size;
  }

  dispose(): void {
    for (const undo of this.detach) undo();
    for (const watch of this.watches.values()) clearTimeout(watch.timer);
    this.watches.clear();
  }

  private watch(orders: readonly OrderRequest[]): void {
    const [parent, ...children] = orders;
    const protective = children.find((order) => PROTECTIVE_TYPES.has(order.type)) ?? children.at(-1);
    if (!parent || !protective) return;
    const timer = setTimeout(() => this.unprotected(protective.id, `not acknowledged within ${this.options.protectionTimeoutMs} ms`), this.options.protectionTimeoutMs);
    timer.unref?.();
    this.watches.set(protective.id, { parentId: parent.id, symbol: parent.symbol, timer });
  }

  private onEvent(event: BrokerEvent): void {
    if (event.type !== "status") return;
    const { orderId, status, reason } = event.update;
    const watch = this.watches.get(orderId);
    if (!watch) return;
    if (status === "Submitted" || status === "PreSubmitted" || status === "Filled") {
      clearTimeout(watch.timer);
      this.watches.delete(orderId);
    } else if (status === "Cancelled" || status === "Inactive") {
      this.unprotected(orderId, `refused by the broker${reason ? ` (${reason})` : ""}`);
    }
  }

  private unprotected(protectiveId: number, why: string): void {
    const watch = this.watches.get(protectiveId);
    if (!watch) return;
    clearTimeout(watch.timer);
    this.watches.delete(protectiveId);
    this.options.broker.cancel(watch.parentId);
    this.options.events.emit({
      type: "error",
      time: this.options.clock.now(),
      message: `${watch.symbol}: protective order ${protectiveId} ${why}; entry ${watch.parentId} cancelled`,
    });
  }
}

