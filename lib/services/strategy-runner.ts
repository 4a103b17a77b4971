import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { EXCHANGES, exchangeCalendar } from "@/lib/core/calendar";
import { TradingEngine } from "@/lib/core/engine/engine";
import type { CommissionModel } from "@/lib/core/model/commission";
import { perShareCommission } from "@/lib/core/model/commission";
import { defineInstrument, type Instrument } from "@/lib/core/model/instrument";
import { Portfolio } from "@/lib/core/model/portfolio";
import { fanOutEvents, type BrokerEvent, type BrokerPort, type Clock, type DomainEvent, type EventSink, type MarketDataPort, type RiskGate, type Unsubscribe } from "@/lib/core/ports";
import { isStrategyName, strategyNames, strategyRegistry } from "@/lib/core/strategies/registry";
import { localDateKey } from "@/lib/core/time/zoned-time";
import type { Bar } from "@/lib/core/data/bars";
import { ema, RollingVwap, sma, vwap } from "@/lib/core/indicators";
import type { Strategy, StrategyContext, StrategyIntent } from "@/lib/core/strategies/types";
import type { Sizing } from "@/lib/core/engine/sizing";
import type { Contract } from "@stoqey/ib";
import { BarBuilder, IbkrMarketData } from "@/lib/adapters/ibkr/market-data";
import { IbkrBroker } from "@/lib/adapters/ibkr/broker-port";
import { AtrBracketStop, BracketGuard, limitBrackets, riskSizedQuantity, type BracketEntryPlan } from "@/lib/adapters/ibkr/brackets";
import { atrTrailingStopSchema } from "@/lib/core/strategies/exits/atr-trailing-stop";
import { ContractDirectory } from "@/lib/adapters/ibkr/contracts";
import type { GatewayClient } from "@/lib/adapters/ibkr/gateway-client";
import type { Entitlement } from "@/lib/adapters/ibkr/entitlements";
import { stockContract } from "@/lib/adapters/ibkr/mapping";
import type { HistoricalQueue, HistoryRequest } from "@/lib/adapters/ibkr/historical-queue";
import { paperBroker } from "@/lib/adapters/paper/paper-broker";
import { OrderDecisions, orderRefOf } from "@/lib/adapters/db/order-decisions";
import { instanceHoldings, type InstanceHoldings, type WorkingOrder } from "@/lib/adapters/db/instance-holdings";
import { isWorkingStatus } from "@/lib/adapters/ibkr/mapping";
import type { AuditEvent } from "./audit";
import type { EngineBroker } from "./engine-broker";
import type { Actor } from "./controls";
import { InvalidStrategyParameters, type StrategyChart, type StrategyDirectory, type StrategyInstanceView, type StrategyRunState } from "./strategy-directory";
import { closeOnDataError, monitorSchema, monitored, rearmed, replayHistory, type DataErrorSource, type ResumedTrade } from "./symbol-monitor";
import { entryRulesGate, entryWindowSchema } from "./trading-window";

/** A shared broker that can follow orders an earlier process sent (IbkrBroker.adopt). */
interface AdoptingBroker {
  adopt(request: WorkingOrder["request"], filled: number, execIds: Iterable<string>): void;
}

export interface StrategyRunnerOptions {
  prisma: PrismaClient;
  marketData: MarketDataPort & Partial<DataErrorSource>;
  /** A broker port per engine; each engine must hear only about its own orders (see scopedBroker). */
  brokerFor: (instrument: Instrument, instanceId: string) => EngineBroker;
  instrumentOf?: (symbol: string) => Promise<Instrument>;
  /** The account-wide risk gate (the risk engine), or one per instance id; the instance's own rules run in front of it. */
  risk: RiskGate | ((instanceId: string) => RiskGate);
  events: EventSink;
  clock: Clock;
  /** Cash the engines may size from, read when an engine starts. */
  availableFunds: () => number;
  /** Resolves once availableFunds() knows the account: instances left running start then, not sized from 0. */
  fundsKnown?: Promise<void>;
  entitlementOf?: (symbol: string) => Entitlement;
  commission?: CommissionModel;
  audit?: (event: AuditEvent) => Promise<void>;
  /**
   * After a restart: the account's position in a symbol as the broker reports it (undefined:
   * not known), so an instance never takes over more than the account holds.
   */
  brokerPositionOf?: (symbol: string) => number | undefined;
  /** Whether the broker still works an order (from its open orders); without it the journal's status is trusted. */
  workingAtBroker?: (orderId: number) => boolean;
  /** Past bars to warm a strategy's indicators up with before it sees live data (oldest first). */
  history?: (symbol: string, barSeconds: number, count: number) => Promise<readonly Bar[]>;
  /**
   * Entries with a take-profit and a stop go out as limit brackets at the last price (plus the
   * buffer outside regular hours), sized so the stop loses riskPercent of the funds.
   */
  brackets?: { preMarketBufferPercent: number };
  log: Logger;
}

/** Bars of history a strategy is warmed up with: enough for a 200-bar average and then some. */
export const WARM_UP_BARS = 250;

export const instanceConfigSchema = z.object({
  // Short enough that orderRef k1:<id>.<order id> stays within TWS's 40 characters.
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,23}$/, "id is 1-24 lower-case letters, digits and dashes"),
  strategy: z.string().refine(isStrategyName, { message: `strategy must be one of ${strategyNames.join(", ")}` }),
  label: z.string().trim().min(1).max(120),
  symbols: z.array(z.string().trim().toUpperCase().regex(/^[A-Z0-9.]{1,12}$/, "symbols are 1-12 letters, digits or dots")).min(1, "at least one symbol"),
  parameters: z.record(z.string(), z.unknown()).default({}),
  state: z.enum(["running", "paused"]).default("paused"),
  windowStart: z.string().nullable().default(null),
  windowEnd: z.string().nullable().default(null),
  exchange: z.string().refine((mic) => Object.hasOwn(EXCHANGES, mic), { message: `exchange must be one of ${Object.keys(EXCHANGES).join(", ")}` }).default("XNYS"),
  maxCyclesPerDay: z.number().int().min(1).max(100).default(3),
  barSeconds: z.number().int().min(1).max(86_400).default(60),
  riskPercent: z.number().positive().max(100).default(1),
  allowDelayedData: z.boolean().default(false),
});

export type InstanceConfig = z.output<typeof instanceConfigSchema>;

/** Seeded on the first start: the classic golden cross on SPY, paused until someone starts it. */
export const DEFAULT_INSTANCES: readonly z.input<typeof instanceConfigSchema>[] = [
  { id: "golden-cross-spy", strategy: "golden-cross", label: "Golden cross on SPY (daily bars)", symbols: ["SPY"], parameters: {}, state: "paused", barSeconds: 86_400 },
];

/**
 * Settings an instance keeps beside its strategy's own parameters, for live trading only:
 * `exits`, the symbol monitor's rules, and `bracketAtrTrailingStop`, which makes the stop child
 * of the live entry brackets (BROKER=ibkr) a TRAIL order `multiple` x ATR(`period`) behind the
 * market instead of the strategy's fixed stop. Absent, brackets keep the fixed stop.
 */
const liveSettingSchemas = {
  exits: monitorSchema,
  bracketAtrTrailingStop: atrTrailingStopSchema.optional(),
} as const;

type LiveSettingName = keyof typeof liveSettingSchemas;

/** The instance's parameters split into the strategy's own and the live settings. */
function splitParameters(parameters: Readonly<Record<string, unknown>>): { own: Record<string, unknown>; live: Partial<Record<LiveSettingName, unknown>> } {
  const own: Record<string, unknown> = {};
  const live: Partial<Record<LiveSettingName, unknown>> = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (Object.hasOwn(liveSettingSchemas, key)) live[key as LiveSettingName] = value;
    else own[key] = value;
  }
  return { own, live };
}

/**
 * Validates parameters against the strategy's own schema, plus the optional live settings
 * (`exits`, `bracketAtrTrailingStop`); throws InvalidStrategyParameters naming every bad field.
 */
export function validateParameters(strategy: string, parameters: unknown): Record<string, unknown> {
  if (!isStrategyName(strategy)) throw new InvalidStrategyParameters([{ path: "strategy", message: `unknown strategy "${strategy}"` }]);
  if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
    throw new InvalidStrategyParameters([{ path: "(root)", message: "parameters must be an object" }]);
  }
  const { own, live } = splitParameters(parameters as Record<string, unknown>);
  const issues: { path: string; message: string }[] = [];
  const ownResult = strategyRegistry[strategy].parameters.safeParse(own);
  if (!ownResult.success) issues.push(...ownResult.error.issues.map((issue) => ({ path: issue.path.join(".") || "(root)", message: issue.message })));
  for (const name of Object.keys(liveSettingSchemas) as LiveSettingName[]) {
    const result = liveSettingSchemas[name].safeParse(live[name]);
    if (!result.success) issues.push(...result.error.issues.map((issue) => ({ path: [name, ...issue.path].join("."), message: issue.message })));
  }
  if (issues.length > 0) throw new InvalidStrategyParameters(issues);
  return { ...own, ...Object.fromEntries(Object.entries(live).filter(([, value]) => value !== undefined)) };
}

/** A view of a shared broker that hears only about the orders sent through it; `onId` sees each id it takes. */
export function scopedBroker(shared: BrokerPort & Partial<AdoptingBroker>, onId?: (orderId: number) => void): EngineBroker {
  const own = new Set<number>();
  const adopting = shared.adopt?.bind(shared);
  return {
    ...(adopting && {
      adopt: (order: WorkingOrder) => {
        own.add(order.request.id);
        adopting(order.request, order.filled, order.execIds);
      },
    }),
    nextOrderId: () => {
      const id = shared.nextOrderId();
      own.add(id);
      onId?.(id);
      return id;
    },
    submit: (order) => shared.submit(order),
    modify: (orderId, changes) => shared.modify(orderId, changes),
    cancel: (orderId) => shared.cancel(orderId),
    cancelAll: () => {
      for (const id of own) shared.cancel(id);
    },
    onEvent: (listener) => shared.onEvent((event: BrokerEvent) => {
      if (own.has(event.type === "fill" ? event.fill.orderId : event.update.orderId)) listener(event);
    }),
  };
}

interface RunningSymbol {
  readonly symbol: string;
  readonly engine: TradingEngine;
  readonly broker: EngineBroker;
  readonly bars: BarBuilder;
  readonly chart: SymbolChart;
  readonly unsubscribe: Unsubscribe;
}

/** What the Strategies page draws per symbol: the last CHART_BARS bars and the instance's fills. */
interface SymbolChart {
  bars: Bar[];
  fills: { time: number; side: "buy" | "sell"; price: number; quantity: number }[];
}

export const CHART_BARS = 300;

interface Instance {
  config: InstanceConfig;
  running: RunningSymbol[];
  realized: { day: string; amount: number };
  lastSignal: StrategyInstanceView["lastSignal"];
  /** Per symbol; kept across pause and restart so the chart does not go blank. */
  charts: Map<string, SymbolChart>;
  /** Bumped on every start/stop so a slow start that lost the race is discarded. */
  generation: number;
}

export class UnknownStrategyInstanceError extends Error {
  constructor(readonly id: string) {
    super(`no strategy instance "${id}"`);
    this.name = "UnknownStrategyInstanceError";
  }
}

/**
 * Runs the configured strategy instances live: one core TradingEngine per instance and
 * symbol, fed with trade prints and with bars built from them (`barSeconds` per instance),
 * orders through the broker port, every decision through the event sink.
 */
export class StrategyRunner implements StrategyDirectory {
  private readonly instances = new Map<string, Instance>();
  private flushTimer: ReturnType<typeof setInterval> | undefined;
  private stopDataErrors: Unsubscribe | undefined;
  private stopped = false;

  constructor(private readonly options: StrategyRunnerOptions) {}

  /** Loads the instances (seeding the defaults on the very first start) and starts the running ones. */
  async start(): Promise<void> {
    const { prisma } = this.options;
    if ((await prisma.strategyInstance.count()) === 0) {
      await prisma.strategyInstance.createMany({ data: DEFAULT_INSTANCES.map((seed) => toRow(instanceConfigSchema.parse(seed))), skipDuplicates: true });
    }
    for (const row of await prisma.strategyInstance.findMany({ orderBy: { createdAt: "asc" } })) {
      const config = this.configFromRow(row);
      if (!config) continue;
      this.instances.set(config.id, { config, running: [], realized: { day: "", amount: 0 }, lastSignal: null, charts: new Map(), generation: 0 });
    }
    this.flushTimer = setInterval(() => this.flushBars(), 1_000);
    this.flushTimer.unref();
    const { marketData } = this.options;
    if (marketData.onError) {
      const errors = { onError: marketData.onError.bind(marketData) };
      this.stopDataErrors = closeOnDataError(errors, () => this.holdings(), this.options.events, () => this.options.clock.now());
    }
    const idle = () => [...this.instances.values()].filter((instance) => !this.stopped && instance.config.state === "running" && instance.running.length === 0);
    const runIdle = () => Promise.all(idle().map((instance) => this.run(instance)));
    if (this.options.fundsKnown) this.options.fundsKnown.then(runIdle).catch((error: unknown) => this.options.log.error({ err: error }, "running strategy instances did not start"));
    else await runIdle();
  }

  stop(): void {
    this.stopped = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.stopDataErrors?.();
    for (const instance of this.instances.values()) this.halt(instance);
  }

  list(): readonly StrategyInstanceView[] {
    return [...this.instances.values()].map((instance) => this.view(instance));
  }

  async setState(actor: Actor, id: string, state: StrategyRunState): Promise<StrategyInstanceView> {
    const instance = this.require(id);
    await this.options.prisma.strategyInstance.update({ where: { id }, data: { state } });
    instance.config = { ...instance.config, state };
    if (state === "running") await this.run(instance);
    else this.halt(instance);
    await this.audit(actor, `strategy_${state === "running" ? "start" : "pause"}`, id, { state });
    return this.view(instance);
  }

  async updateParameters(actor: Actor, id: string, parameters: unknown): Promise<StrategyInstanceView> {
    const instance = this.require(id);
    const validated = validateParameters(instance.config.strategy, parameters);
    await this.options.prisma.strategyInstance.update({ where: { id }, data: { parameters: validated as object } });
    instance.config = { ...instance.config, parameters: validated };
    if (instance.config.state === "running") {
      this.halt(instance);
      await this.run(instance);
    }
    await this.audit(actor, "strategy_parameters", id, { parameters: validated });
    return this.view(instance);
  }

  /** Every engine's open position, for the data-error guard, per-strategy flat-by-time and tests. */
  holdings(): { instance: string; symbol: string; position: number; flatten(reason: string): void }[] {
    return [...this.instances.values()].flatMap((instance) =>
      instance.running.map((running) => ({ instance: instance.config.id, symbol: running.symbol, position: running.engine.position, flatten: (reason: string) => running.engine.flatten(reason) })),
    );
  }

  private require(id: string): Instance {
    const instance = this.instances.get(id);
    if (!instance) throw new UnknownStrategyInstanceError(id);
    return instance;
  }

  private configFromRow(row: Awaited<ReturnType<PrismaClient["strategyInstance"]["findFirstOrThrow"]>>): InstanceConfig | undefined {
    const parsed = instanceConfigSchema.safeParse({ ...row, parameters: row.parameters ?? {} });
    if (parsed.success) return parsed.data;
    this.options.log.error({ id: row.id, issues: parsed.error.issues }, "strategy instance has an invalid configuration; it stays stopped");
    return undefined;
  }

  private async run(instance: Instance): Promise<void> {
    this.halt(instance);
    const generation = ++instance.generation;
    const { config } = instance;
    const instruments = await Promise.all(config.symbols.map((symbol) => this.options.instrumentOf?.(symbol) ?? Promise.resolve(defineInstrument({ symbol }))));
    const histories = await Promise.all(config.symbols.map((symbol) => this.pastBars(symbol, config.barSeconds)));
    const holdings = await Promise.all(config.symbols.map((symbol) => this.holdingsOf(config.id, symbol)));
    if (generation !== instance.generation) return;
    instance.running = instruments.map((instrument, index) => this.startSymbol(instance, instrument, histories[index], holdings[index]));
  }

  private async pastBars(symbol: string, barSeconds: number): Promise<readonly Bar[]> {
    if (!this.options.history) return [];
    try {
      return await this.options.history(symbol, barSeconds, WARM_UP_BARS);
    } catch (error) {
      this.options.log.warn({ err: error, symbol }, "no history to warm the strategy up with; it starts cold");
      return [];
    }
  }

  /** What the instance holds in the symbol by its own orders, from the journal; undefined when it cannot be read. */
  private async holdingsOf(instanceId: string, symbol: string): Promise<InstanceHoldings | undefined> {
    try {
      return await instanceHoldings(this.options.prisma, instanceId, symbol);
    } catch (error) {
      this.options.log.error({ err: error, instance: instanceId, symbol }, "the instance's holdings could not be read; it starts flat");
      return undefined;
    }
  }

  private startSymbol(instance: Instance, instrument: Instrument, history: readonly Bar[], holdings: InstanceHoldings | undefined): RunningSymbol {
    const { config } = instance;
    const { clock, marketData } = this.options;
    const prices = { last: NaN };
    const { own, live } = splitParameters(config.parameters);
    const trail = this.bracketTrail(instrument, live.bracketAtrTrailingStop, history);
    const broker = this.bracketed(this.options.brokerFor(instrument, config.id), instrument, config, prices, trail);
    const sizing: Sizing = { kind: "percent-of-equity", fraction: config.riskPercent / 100 };
    const taken = broker.adopt && holdings ? this.ownShare(config.id, instrument.symbol, holdings) : undefined;
    const trade: ResumedTrade | undefined = taken && taken.quantity !== 0 ? { quantity: taken.quantity, averageCost: taken.averageCost, openedAt: taken.openedAt ?? clock.now() } : undefined;
    const exitRules = monitored(strategyRegistry[config.strategy as keyof typeof strategyRegistry].create(own as never), monitorSchema.parse(live.exits));
    const stopAsked = replayHistory(exitRules, instrument.symbol, history, config.barSeconds * 1_000, trade);
    const strategy = this.sizedByRisk(rearmed(exitRules, stopAsked), instrument, config, sizing, prices, trail);
    const calendar = exchangeCalendar(config.exchange);
    const window = entryWindowSchema.parse({ start: config.windowStart, end: config.windowEnd });
    const shared = typeof this.options.risk === "function" ? this.options.risk(config.id) : this.options.risk;
    const risk = entryRulesGate({ window, calendar, maxCyclesPerDay: config.maxCyclesPerDay, now: () => clock.now(), blocked: (symbol) => this.entryBlock(config, symbol) }, shared);
    const engine = new TradingEngine({
      instrument,
      strategy,
      broker,
      portfolio: new Portfolio(this.options.availableFunds()),
      clock,
      sizing,
      commission: this.options.commission ?? perShareCommission(),
      risk,
      events: this.sinkFor(instance, calendar.timeZone),
    });
    if (taken) this.takeOver(config.id, instrument.symbol, engine, broker, { ...taken, workingOrders: taken.workingOrders.map((order) => withTrailLevel(order, history, config.barSeconds * 1_000, taken)) });
    engine.start();
    const bars = new BarBuilder(config.barSeconds * 1_000);
    const chart = chartOf(instance, instrument.symbol, history);
    const stopTicks = marketData.subscribeTicks(instrument.symbol, (tick) => {
      broker.beforePrice?.(tick);
      engine.onTick(tick);
      const bar = bars.add(tick.time, tick.price, tick.size);
      if (bar) onClosedBar({ broker, engine, chart }, bar);
      broker.afterPrice?.();
    });
    return {
      symbol: instrument.symbol,
      engine,
      broker,
      bars,
      chart,
      unsubscribe: () => {
        stopTicks();
        engine.stop();
        broker.dispose?.();
      },
    };
  }

  /**
   * The part of the journal's holdings the instance takes over: its own position, never more
   * than the account holds on that side (a manual trade or another instance may have moved it;
   * the difference is logged), and its orders the broker still works.
   */
  private ownShare(instanceId: string, symbol: string, holdings: InstanceHoldings): InstanceHoldings {
    const { log, brokerPositionOf, workingAtBroker } = this.options;
    const account = brokerPositionOf?.(symbol);
    let { quantity } = holdings;
    if (account !== undefined && account !== quantity) {
      const capped = Math.sign(account) === Math.sign(quantity) ? Math.sign(quantity) * Math.min(Math.abs(quantity), Math.abs(account)) : 0;
      log[quantity === 0 ? "info" : "warn"]({ instance: instanceId, symbol, own: quantity, account, takenOver: capped }, "the account's position differs from what the instance's own fills add up to; it keeps its own share");
      quantity = capped;
    }
    const stale = workingAtBroker ? holdings.workingOrders.filter((order) => !workingAtBroker(order.request.id)) : [];
    if (stale.length > 0) log.warn({ instance: instanceId, symbol, orderIds: stale.map((order) => order.request.id) }, "orders working in the journal are not open at the broker; not taken over");
    if (holdings.unreadable.length > 0) log.warn({ instance: instanceId, symbol, orders: holdings.unreadable }, "working orders of a type the engine does not make; not taken over");
    return { ...holdings, quantity, averageCost: quantity === 0 ? NaN : holdings.averageCost, workingOrders: holdings.workingOrders.filter((order) => !stale.includes(order)) };
  }

  /** The engine sees each order as `taken` has it; the broker follows the order as it was sent. */
  private takeOver(instanceId: string, symbol: string, engine: TradingEngine, broker: EngineBroker, taken: InstanceHoldings & { workingOrders: readonly (WorkingOrder & { sent: WorkingOrder })[] }): void {
    if (taken.quantity === 0 && taken.workingOrders.length === 0) return;
    engine.restore({ position: { quantity: taken.quantity, averageCost: taken.averageCost }, workingOrders: taken.workingOrders });
    for (const order of taken.workingOrders) broker.adopt!(order.sent);
    this.options.log.info(
      { instance: instanceId, symbol, position: taken.quantity, averageCost: taken.averageCost, openedAt: taken.openedAt, orders: taken.workingOrders.map((order) => order.request.id) },
      "strategy instance took over its position and working orders",
    );
  }

  /** With brackets on and `bracketAtrTrailingStop` set: the symbol's ATR, warmed up on the same history as the strategy. */
  private bracketTrail(instrument: Instrument, setting: unknown, history: readonly Bar[]): AtrBracketStop | undefined {
    if (!this.options.brackets || setting === undefined) return undefined;
    const trail = new AtrBracketStop(instrument, atrTrailingStopSchema.parse(setting));
    for (const bar of history) trail.update(bar);
    return trail;
  }

  private bracketed(broker: EngineBroker, instrument: Instrument, config: InstanceConfig, prices: { last: number }, trail: AtrBracketStop | undefined): EngineBroker {
    const brackets = this.options.brackets;
    if (!brackets) return broker;
    const calendar = exchangeCalendar(config.exchange);
    const plan = (): BracketEntryPlan => {
      const trailingStop = trail?.current;
      if (trail && !trailingStop) {
        this.options.log.warn({ instance: config.id, symbol: instrument.symbol, atrPeriod: trail.settings.period }, "ATR not ready yet: this entry bracket keeps the strategy's fixed stop instead of the ATR trailing stop");
      }
      return { entryPrice: prices.last, preMarket: !calendar.isOpenAt(this.options.clock.now()), preMarketBufferPercent: brackets.preMarketBufferPercent, trailingStop };
    };
    // The engine's last price, as it sees it: every print, then each closed bar's close (which also moves the ATR).
    const pricing: EngineBroker = {
      ...broker,
      beforePrice: (tick) => ((prices.last = tick.price), broker.beforePrice?.(tick)),
      beforeBar: (bar) => ((prices.last = bar.close), trail?.update(bar), broker.beforeBar?.(bar)),
    };
    return limitBrackets(pricing, instrument, plan, (error) => this.options.log.warn({ err: error, instance: config.id }, "entry bracket not built; sent as the engine made it"));
  }

  /**
   * With brackets on, an entry that names its stop is sized by risk (the stop loses riskPercent
   * of the funds): the engine's sizing is switched to that quantity just before the entry is queued.
   * With an ATR trailing stop ready, the risk is its trail amount, the distance the bracket's TRAIL child gets.
   */
  private sizedByRisk(strategy: Strategy, instrument: Instrument, config: InstanceConfig, sizing: Sizing, prices: { last: number }, trail: AtrBracketStop | undefined): Strategy {
    if (!this.options.brackets) return strategy;
    const byEquity = { kind: "percent-of-equity", fraction: config.riskPercent / 100 } as const;
    const size = (intent: StrategyIntent) => {
      if (intent.kind !== "enter") return;
      const bracketed = intent.takeProfit !== undefined && intent.stopLoss !== undefined && prices.last > 0;
      const stop = trail?.distance === undefined ? { stopPrice: intent.stopLoss } : { stopDistance: trail.distance };
      const quantity = bracketed ? riskSizedQuantity(instrument, { availableFunds: this.options.availableFunds(), riskPercent: config.riskPercent, entryPrice: prices.last, ...stop }) : undefined;
      Object.assign(sizing, quantity === undefined ? byEquity : { kind: "fixed", quantity });
    };
    return withSubmitHook(strategy, size);
  }

  /** Entries are refused on delayed or missing data unless the instance allows delayed data. */
  private entryBlock(config: InstanceConfig, symbol: string): string | null {
    const entitlement = this.options.entitlementOf?.(symbol) ?? "live";
    if (entitlement === "live") return null;
    if (entitlement === "none") return `no market data for ${symbol}: entries refused`;
    return config.allowDelayedData ? null : `market data for ${symbol} is ${entitlement}: entries refused (allowDelayedData is off)`;
  }

  private sinkFor(instance: Instance, timeZone: string): EventSink {
    const { events, clock } = this.options;
    return {
      emit: (event: DomainEvent) => {
        events.emit(event);
        if (event.type === "decision") {
          instance.lastSignal = { time: new Date(event.time).toISOString(), symbol: event.symbol, text: `${event.intent.side} ${event.intent.quantity} (${event.intent.purpose}): ${event.intent.reason}` };
        } else if (event.type === "fill") {
          const { fill } = event;
          instance.charts.get(fill.symbol)?.fills.push({ time: fill.time, side: fill.side === "BUY" ? "buy" : "sell", price: fill.price, quantity: fill.quantity });
          const day = localDateKey(clock.now(), timeZone);
          if (instance.realized.day !== day) instance.realized = { day, amount: 0 };
          instance.realized.amount += event.realizedPnl;
        }
      },
    };
  }

  private halt(instance: Instance): void {
    instance.generation++;
    for (const running of instance.running) running.unsubscribe();
    instance.running = [];
  }

  private flushBars(): void {
    const now = this.options.clock.now();
    for (const instance of this.instances.values()) {
      for (const running of instance.running) {
        const bar = running.bars.flush(now);
        if (bar) onClosedBar(running, bar);
      }
    }
  }

  async chart(id: string, symbol: string): Promise<StrategyChart | null> {
    const instance = this.instances.get(id);
    const chart = instance?.charts.get(symbol.trim().toUpperCase());
    if (!instance || !chart) return null;
    return chartView(id, symbol.trim().toUpperCase(), instance.config.barSeconds, chart);
  }

  private view(instance: Instance): StrategyInstanceView {
    const { config } = instance;
    const today = localDateKey(this.options.clock.now(), exchangeCalendar(config.exchange).timeZone);
    return {
      id: config.id,
      strategy: config.strategy,
      label: config.label,
      symbols: config.symbols,
      parameters: config.parameters,
      state: config.state,
      positions: Object.fromEntries(instance.running.map((running) => [running.symbol, running.engine.position])),
      realizedPnlToday: instance.realized.day === today ? instance.realized.amount : 0,
      lastSignal: instance.lastSignal,
    };
  }

  private async audit(actor: Actor, action: string, id: string, details: unknown): Promise<void> {
    await this.options.audit?.({ actor: actor.user, source: actor.source, ip: actor.ip ?? null, action, result: "ok", details: { id, ...(details as object) } });
  }
}

function chartOf(instance: Instance, symbol: string, history: readonly Bar[]): SymbolChart {
  let chart = instance.charts.get(symbol);
  if (!chart) {
    chart = { bars: history.slice(-CHART_BARS), fills: [] };
    instance.charts.set(symbol, chart);
  }
  return chart;
}

function onClosedBar(running: Pick<RunningSymbol, "broker" | "engine" | "chart">, bar: Bar): void {
  running.broker.beforeBar?.(bar);
  running.engine.onBar(bar);
  running.chart.bars.push(bar);
  if (running.chart.bars.length > CHART_BARS) running.chart.bars.splice(0, running.chart.bars.length - CHART_BARS);
}

const CHART_LINES = { sma: 20, ema: 50, vwap: 20, vwapBandWidth: 2 };

/** Candles with SMA, EMA and VWAP ±2σ lines over them, and the fills still inside the window as markers. */
export function chartView(id: string, symbol: string, barSeconds: number, chart: SymbolChart): StrategyChart {
  const bars = chart.bars.map(({ time, open, high, low, close, volume }) => ({ time, open, high, low, close, volume }));
  const close = bars.map((bar) => bar.close);
  const volume = bars.map((bar) => bar.volume);
  const bands = new RollingVwap(CHART_LINES.vwap, CHART_LINES.vwapBandWidth);
  const upper: (number | null)[] = [];
  const lower: (number | null)[] = [];
  for (let i = 0; i < bars.length; i++) {
    bands.step(close[i], volume[i]);
    upper.push(bands.isReady ? finite(bands.upper) : null);
    lower.push(bands.isReady ? finite(bands.lower) : null);
  }
  const barMs = barSeconds * 1_000;
  const first = bars[0]?.time ?? Infinity;
  return {
    id,
    symbol,
    barSeconds,
    bars,
    overlays: [
      { name: `SMA ${CHART_LINES.sma}`, values: Array.from(sma(close, CHART_LINES.sma), finite) },
      { name: `EMA ${CHART_LINES.ema}`, values: Array.from(ema(close, CHART_LINES.ema), finite) },
      { name: `VWAP ${CHART_LINES.vwap}`, values: Array.from(vwap(close, volume, CHART_LINES.vwap), finite) },
      { name: `VWAP +${CHART_LINES.vwapBandWidth}σ`, values: upper },
      { name: `VWAP -${CHART_LINES.vwapBandWidth}σ`, values: lower },
    ],
    markers: chart.fills
      .filter((fill) => fill.time >= first)
      .map((fill) => ({ ...fill, time: Math.floor(fill.time / barMs) * barMs, text: `${fill.side === "buy" ? "Buy" : "Sell"} ${fill.quantity} @ ${fill.price}` })),
  };
}

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/**
 * Feeds past bars to the strategy alone, flat and with every intent dropped: its indicators
 * are ready when live data starts, and nothing is traded on history.
 */
export function warmUp(strategy: Strategy, symbol: string, bars: readonly Bar[]): void {
  replayHistory(strategy, symbol, bars, 0);
}

/** The strategy with `hook` seeing every intent it submits, before the engine queues it. */
function withSubmitHook(strategy: Strategy, hook: (intent: StrategyIntent) => void): Strategy {
  const views = new WeakMap<StrategyContext, StrategyContext>();
  const view = (context: StrategyContext) => {
    let hooked = views.get(context);
    if (!hooked) {
      hooked = Object.assign(Object.create(context) as StrategyContext, { submit: (intent: StrategyIntent) => (hook(intent), context.submit(intent)) });
      views.set(context, hooked);
    }
    return hooked;
  };
  return {
    name: strategy.name,
    onBar: (bar, context) => strategy.onBar(bar, view(context)),
    onTick: strategy.onTick && ((tick, context) => strategy.onTick!(tick, view(context))),
    onFill: strategy.onFill && ((fill, context) => strategy.onFill!(fill, view(context))),
  };
}

/**
 * An order taken over, as the engine should see it: a TRAIL stop's level lives at the broker, so
 * it is read as the best price since the entry (the highest high of the bars from the entry's on,
 * or the lowest low for a short, and at least the entry price) less the trail amount. The engine
 * then tightens it only with a stop above (below) that level, never loosening what TWS ratcheted.
 */
function withTrailLevel(order: WorkingOrder, bars: readonly Bar[], barMs: number, held: InstanceHoldings): WorkingOrder & { sent: WorkingOrder } {
  const { request } = order;
  if (request.type !== "TRAIL" || request.stopPrice !== undefined || !("amount" in request.trail) || held.quantity === 0) return { ...order, sent: order };
  const side = Math.sign(held.quantity);
  const since = held.openedAt ?? Infinity;
  const best = bars.filter((bar) => bar.time + barMs > since).reduce((extreme, bar) => (side > 0 ? Math.max(extreme, bar.high) : Math.min(extreme, bar.low)), held.averageCost);
  return { ...order, request: { ...request, stopPrice: best - side * request.trail.amount }, sent: order };
}

function toRow(config: InstanceConfig) {
  return { ...config, parameters: config.parameters as object };
}

export interface LiveStrategiesOptions {
  /** ibkr: orders to TWS; paper: the core's simulated broker, fed with the same live prices. */
  mode: "ibkr" | "paper";
  gateway: GatewayClient;
  prisma: PrismaClient;
  risk: StrategyRunnerOptions["risk"];
  availableFunds: () => number;
  fundsKnown?: Promise<void>;
  entitlementOf?: (symbol: string) => Entitlement;
  events?: EventSink;
  audit?: (event: AuditEvent) => Promise<void>;
  log: Logger;
  clock?: Clock;
  /** How long a bracket's protective order may take to be acknowledged before its entry is cancelled. */
  protectionTimeoutMs?: number;
  /** Added to an entry bracket's limit outside regular hours, in percent (0.1 by default). */
  preMarketBufferPercent?: number;
  /** Where warm-up bars come from (paced and cached); without it strategies start cold. */
  historicalQueue?: HistoricalQueue;
}

const IB_BAR_SIZES: Readonly<Record<number, HistoryRequest["barSize"]>> = {
  60: "1 min", 120: "2 mins", 180: "3 mins", 300: "5 mins", 600: "10 mins", 900: "15 mins", 1200: "20 mins", 1800: "30 mins",
  3600: "1 hour", 7200: "2 hours", 10800: "3 hours", 14400: "4 hours", 28800: "8 hours", 86400: "1 day",
};
const DAY_MS = 86_400_000;

/** The last `count` bars before now from the queue, for bar lengths IB serves (a minute or more). */
export function historyFrom(queue: HistoricalQueue, clock: Clock): NonNullable<StrategyRunnerOptions["history"]> {
  return async (symbol, barSeconds, count) => {
    const barSize = IB_BAR_SIZES[barSeconds];
    if (!barSize) return [];
    const barMs = barSeconds * 1000;
    const to = Math.floor(clock.now() / barMs) * barMs;
    // Nights, weekends and holidays have no bars: ask for enough calendar time to hold `count`.
    const span = barSeconds >= 86_400 ? Math.ceil(count * 1.6) * DAY_MS : Math.max(count * barMs * 3, 4 * DAY_MS);
    const bars = await queue.bars({ symbol, barSize, useRth: barSeconds >= 86_400, from: to - span, to });
    return bars.slice(-count);
  };
}

/**
 * The runner as the app runs it: prices from the gateway's quote stream, contracts qualified
 * through it (tick sizes from minTick), orders to TWS with the instance id and decision in
 * orderRef, brackets watched for live protection, or BROKER=paper's simulated fills.
 */
export function createLiveStrategyRunner(options: LiveStrategiesOptions): StrategyRunner {
  const { gateway, prisma, log } = options;
  const clock = options.clock ?? { now: () => Date.now() };
  const events = options.events ? fanOutEvents(loggedEvents(log), options.events) : loggedEvents(log);
  const marketData = new IbkrMarketData(gateway, clock);
  const contracts = new ContractDirectory(gateway, prisma);
  const commission = perShareCommission();
  const decisionIds = new Map<number, string>();
  const broker =
    options.mode === "ibkr"
      ? new IbkrBroker({
          gateway,
          log,
          contractOf: (symbol) => contracts.known(symbol)?.contract ?? (stockContract(symbol) as Contract),
          orderRefOf: (request) => orderRefOfDecision(decisionIds, request.parentId ?? request.id),
          decisions: new OrderDecisions(prisma),
        })
      : undefined;
  if (broker) new BracketGuard({ broker, events, clock, protectionTimeoutMs: options.protectionTimeoutMs ?? 10_000 });
  const book = brokerBook(gateway);
  return new StrategyRunner({
    prisma,
    marketData,
    brokerFor: (instrument, instanceId) => (broker ? namedBroker(broker, instanceId, instrument.symbol, decisionIds) : paperBroker(instrument, { clock, commission })),
    instrumentOf: (symbol) =>
      contracts
        .qualify({ symbol })
        .then((qualified) => qualified.instrument)
        .catch((error: unknown) => {
          log.warn({ err: error, symbol }, "contract not qualified; trading it with a 0.01 tick until it is");
          return defineInstrument({ symbol });
        }),
    risk: options.risk,
    events,
    clock,
    availableFunds: options.availableFunds,
    fundsKnown: options.fundsKnown,
    entitlementOf: options.entitlementOf,
    commission,
    audit: options.audit,
    history: options.historicalQueue ? historyFrom(options.historicalQueue, clock) : undefined,
    brackets: broker ? { preMarketBufferPercent: options.preMarketBufferPercent ?? 0.1 } : undefined,
    brokerPositionOf: book.positionOf,
    workingAtBroker: book.working,
    log,
  });
}

/**
 * The account's positions and the orders the broker works, as the gateway has reported them
 * since the runner was made (the reconcile asks for both), for instances taking over after a restart.
 */
function brokerBook(gateway: GatewayClient): { positionOf(symbol: string): number | undefined; working(orderId: number): boolean } {
  const positions = new Map<string, number>();
  const statuses = new Map<number, string>();
  let positionsKnown = false;
  gateway.on("position", (position) => {
    if (!gateway.managedAccount || position.account === gateway.managedAccount) positions.set(position.symbol, position.quantity);
  });
  gateway.on("positionEnd", () => (positionsKnown = true));
  gateway.on("openOrder", (order) => statuses.set(order.orderId, order.status));
  gateway.on("orderStatus", (status) => statuses.set(status.orderId, status.status));
  return {
    // Once the positions have been listed, a symbol not among them is not held.
    positionOf: (symbol) => positions.get(symbol) ?? (positionsKnown ? 0 : undefined),
    working: (orderId) => {
      const status = statuses.get(orderId);
      return status !== undefined && isWorkingStatus(status);
    },
  };
}

/**
 * The orderRef of an instance's order: the journal's `k1:<decision id>` form, the decision being
 * the instance and the order that started it (a bracket's children carry their parent's id).
 */
export function decisionOrderRef(instanceId: string, decisionOrderId: number): string {
  return orderRefOf(`${instanceId}.${decisionOrderId}`);
}

/**
 * Names an instance's decisions after the market event that prompted them (a bar's or a print's
 * time) and their place among that event's orders: the same event replayed after a restart gets
 * the same names, so the order decisions table can refuse to send them twice.
 */
export function decisionNamer(instanceId: string, symbol: string): { prompt(event: string): void; next(): string } {
  let trigger = "start";
  let sequence = 0;
  return {
    prompt(event) {
      if (event === trigger) return;
      trigger = event;
      sequence = 0;
    },
    next() {
      const digest = createHash("sha256").update(`${symbol}|${trigger}|${sequence++}`).digest("base64url").slice(0, 12);
      return `${instanceId}.${digest}`;
    },
  };
}

/** A scoped view of the live broker whose order ids are named as decisions in `names` (id -> decision id). */
export function namedBroker(shared: BrokerPort & Partial<AdoptingBroker>, instanceId: string, symbol: string, names: Map<number, string>): EngineBroker {
  const namer = decisionNamer(instanceId, symbol);
  const scoped = scopedBroker(shared, (id) => names.set(id, namer.next()));
  return {
    ...scoped,
    beforePrice: (tick) => namer.prompt(`t${tick.time}`),
    beforeBar: (bar) => namer.prompt(`b${bar.time}`),
    ...(scoped.adopt && {
      adopt: (order: WorkingOrder) => {
        // A modify goes out under the order's own decision, as it did before the restart.
        names.set(order.request.parentId ?? order.request.id, order.decisionId);
        scoped.adopt!(order);
      },
    }),
  };
}

/** The orderRef of the decision an order belongs to (a bracket's children carry their parent's). */
export function orderRefOfDecision(names: ReadonlyMap<number, string>, decisionOrderId: number): string {
  return orderRefOf(names.get(decisionOrderId) ?? `kestrel.${decisionOrderId}`);
}

function loggedEvents(log: Logger): EventSink {
  return {
    emit(event) {
      if (event.type === "error") log.warn({ event }, event.message);
      else if (event.type === "decision" || event.type === "denial" || event.type === "fill") log.info({ event }, `strategy ${event.type}`);
    },
  };
}
