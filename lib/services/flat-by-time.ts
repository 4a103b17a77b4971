import { EventEmitter } from "node:events";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { exchangeCalendar } from "@/lib/core/calendar";
import {
  FLAT_BY_WARNING_MS,
  flatByCatchUp,
  flatByScheduleSchema,
  nextFlatBy,
  type FlatByExposure,
  type FlatBySchedule,
} from "@/lib/core/risk";
import type { AuditEvent } from "./audit";
import type { Actor } from "./controls";
import { auditInBackground, retryInBackground, type FlattenResult } from "./flatten";
import type { FlatByTimeView } from "./risk-overview";

export interface FlatByTimeEvents {
  /** Five minutes before a flatten: strategies should stop opening and the UI should warn. `strategy` is null for the whole account. */
  warning: [info: { at: string; inMs: number; strategy: string | null }];
  /** The whole account was flattened by its schedule (on time or catching up a missed trigger). */
  flattened: [result: FlattenResult];
  /** One strategy instance was flattened by its schedule. */
  strategyFlattened: [result: StrategyFlatResult];
  /** A trigger passed while the process was down; `action` says what was done about it. */
  missed: [info: { strategy: string | null; missedAt: string; action: "catch-up" | "mark-done" }];
}

/** One symbol a running strategy instance trades: what it holds there, and how to get out. */
export interface StrategyHolding {
  readonly instance: string;
  readonly symbol: string;
  /** Signed quantity the instance holds. */
  readonly position: number;
  /** Cancels the instance's working orders on the symbol and closes its position at market. */
  flatten(reason: string): void;
}

/** What a per-strategy schedule needs of the strategy runner. */
export interface StrategyFlattenTarget {
  holdings(): readonly StrategyHolding[];
}

export interface StrategyFlatResult {
  readonly strategy: string;
  readonly status: "flat" | "incomplete";
  /** Positions the instance held when the schedule acted. */
  readonly closed: readonly { symbol: string; quantity: number }[];
  readonly remaining: readonly { symbol: string; quantity: number }[];
  readonly message: string;
}

export interface FlatByTimeOptions {
  prisma: Pick<PrismaClient, "flatBySchedule">;
  account: string;
  /** Cancels every order (resting GTC bracket children included) and waits for the acknowledgements. */
  cancelAll: (request: { actor: string; source: "schedule" }) => Promise<unknown>;
  flattenAll: (request: { actor: string; source: "schedule" }) => Promise<FlattenResult>;
  /** The account's open positions and working orders, as the broker last reported them. */
  exposure: () => FlatByExposure;
  /**
   * Calls the listener after each reconcile with the broker; returns the unsubscribe. A trigger
   * missed while the process was down is caught up after the first successful one, when the
   * account's positions are known.
   */
  onReconciled?: (listener: (result: { ok: boolean }) => void) => () => void;
  now: () => number;
  audit: (event: AuditEvent) => Promise<void>;
  log?: { warn(details: object, message: string): void; info(details: object, message: string): void };
  /** Used for the account until a schedule is saved. */
  defaults?: FlatBySchedule;
  /** How often `poll` runs on its own after `start` (default 1 s). */
  pollMs?: number;
  /** How long a per-strategy flatten waits for the instance's positions to reach zero (default 30 s). */
  strategyFlatTimeoutMs?: number;
}

/** One schedule and where it stands. `strategy` null: the whole account. */
interface Armed {
  readonly strategy: string | null;
  schedule: FlatBySchedule;
  nextAt: number | null;
  warnedFor: number | null;
  /** Triggers up to this instant are acted on. */
  settledThrough: number;
}

type ScheduleRow = { strategy: string | null; enabled: boolean; localTime: string; timeZone: string; exchange: string; lastActedAt: Date | null; updatedAt: Date };

const DEFAULT_SCHEDULE: FlatBySchedule = { enabled: false, localTime: "15:55", timeZone: "America/New_York", exchange: "XNYS" };
const ACTOR = "flat-by-time";
const STRATEGY_POLL_MS = 250;

/**
 * "Be flat at 15:55 America/New_York" for the account, or for one strategy instance, on the
 * exchange's trading days. The next trigger is recomputed from the calendar after every flatten
 * and every change, so weekends, holidays, early closes and DST changes need no special handling
 * here. The last trigger acted on is stored, so a trigger missed while the process was down is
 * caught up once the broker is reconciled. `poll` is driven by a timer in production and by hand
 * (with an injected clock) in tests.
 */
export class FlatByTimeService extends EventEmitter<FlatByTimeEvents> {
  private readonly armed = new Map<string | null, Armed>();
  private firing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribeReconciled: (() => void) | null = null;
  private strategies: StrategyFlattenTarget | null = null;

  constructor(private readonly options: FlatByTimeOptions) {
    super();
    this.arm(null, options.defaults ?? DEFAULT_SCHEDULE, options.now());
  }

  /** Reads the account's schedules (the whole account's and each strategy's). */
  async load(): Promise<FlatBySchedule> {
    const rows: ScheduleRow[] = await this.options.prisma.flatBySchedule.findMany({ where: { account: this.options.account } });
    for (const row of rows) {
      const schedule = flatByScheduleSchema.parse({ enabled: row.enabled, localTime: row.localTime, timeZone: row.timeZone, exchange: row.exchange });
      this.arm(row.strategy, schedule, (row.lastActedAt ?? row.updatedAt).getTime());
    }
    return this.current();
  }

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), this.options.pollMs ?? 1_000);
    this.timer.unref?.();
    this.unsubscribeReconciled ??=
      this.options.onReconciled?.((result) => {
        if (result.ok) void this.catchUp();
      }) ?? null;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribeReconciled?.();
    this.unsubscribeReconciled = null;
  }

  /** The strategy runner, once it exists (it is built after the risk stack). */
  attachStrategies(target: StrategyFlattenTarget): void {
    this.strategies = target;
  }

  /** The whole account's schedule. */
  current(): FlatBySchedule {
    return this.account().schedule;
  }

  /** The whole account's schedule, with each strategy's schedule under `strategies`. */
  view(): FlatByTimeView {
    const strategies = [...this.armed.values()].filter((armed) => armed.strategy !== null).map((armed) => viewOf(armed));
    return { ...viewOf(this.account()), strategies };
  }

  /** Validates, saves and re-arms; audited. A schedule applies from the moment it is saved. */
  async update(input: unknown, actor: Actor): Promise<FlatByTimeView> {
    const { strategy = null, ...schedule } = flatByScheduleSchema.parse(input);
    const now = this.options.now();
    const id = strategy === null ? this.options.account : `${this.options.account}/${strategy}`;
    const data = { account: this.options.account, strategy, ...schedule, lastActedAt: new Date(now) };
    await this.options.prisma.flatBySchedule.upsert({ where: { id }, create: { id, ...data }, update: data });
    this.arm(strategy, schedule, now);
    auditInBackground(this.options.audit, { actor: actor.user, source: actor.source, ip: actor.ip ?? null, action: "flat_by.update", result: "ok", details: { ...schedule, strategy } });
    return this.view();
  }

  /** Warns once inside the last five minutes and flattens once the time has come. */
  async poll(): Promise<void> {
    if (this.firing) return this.firing;
    const now = this.options.now();
    const due = [...this.armed.values()].filter((armed) => armed.nextAt !== null && now >= armed.nextAt);
    if (due.length > 0) return this.exclusively(async () => {
      for (const armed of due) await this.act(armed, armed.nextAt!, "trigger");
    });
    for (const armed of this.armed.values()) {
      const at = armed.nextAt;
      if (at === null || now < at - FLAT_BY_WARNING_MS || armed.warnedFor === at) continue;
      armed.warnedFor = at;
      this.emit("warning", { at: new Date(at).toISOString(), inMs: at - now, strategy: armed.strategy });
    }
  }

  /**
   * Acts on a trigger every schedule missed (the process was down at the time): flattens when
   * something is still open, otherwise only marks it done. Runs after each successful reconcile;
   * a trigger once acted on is not acted on again.
   */
  async catchUp(): Promise<void> {
    while (this.firing) await this.firing;
    return this.exclusively(async () => {
      for (const armed of [...this.armed.values()]) {
        const exposure = this.exposureOf(armed);
        if (!exposure) continue;
        const decision = flatByCatchUp(armed.schedule, exchangeCalendar(armed.schedule.exchange), this.options.now(), armed.settledThrough, exposure);
        if (decision.action === "none") continue;
        const info = { strategy: armed.strategy, missedAt: new Date(decision.missedAt).toISOString(), action: decision.action };
        this.options.log?.warn({ ...info, ...exposure }, decision.action === "catch-up" ? "flat-by-time: the trigger was missed while down; flattening now" : "flat-by-time: the trigger was missed while down; already flat");
        this.emit("missed", info);
        if (decision.action === "catch-up") await this.act(armed, decision.missedAt, "catch_up");
        else this.markDone(armed, decision.missedAt);
      }
    });
  }

  private exclusively(task: () => Promise<void>): Promise<void> {
    this.firing = task().finally(() => {
      this.firing = null;
    });
    return this.firing;
  }

  /** Flattens what the schedule covers, audits it and remembers the trigger as acted on. */
  private async act(armed: Armed, at: number, kind: "trigger" | "catch_up"): Promise<void> {
    const request = { actor: ACTOR, source: "schedule" } as const;
    const scheduledFor = new Date(at).toISOString();
    const action = kind === "trigger" ? "flat_by.trigger" : "flat_by.catch_up";
    const note = kind === "catch_up" ? { catchUp: `the ${armed.schedule.localTime} trigger at ${scheduledFor} was missed while Kestrel was down` } : {};
    try {
      if (armed.strategy === null) {
        await this.options.cancelAll(request);
        const result = await this.options.flattenAll(request);
        this.emit("flattened", result);
        auditInBackground(this.options.audit, { ...request, action, result: result.status, details: { scheduledFor, ...note, flattenId: result.id, remaining: result.remaining } });
      } else {
        const result = await this.flattenStrategy(armed.strategy, `flat by ${armed.schedule.localTime}${kind === "catch_up" ? " (catching up a missed trigger)" : ""}`);
        this.emit("strategyFlattened", result);
        this.options.log?.info({ ...result, scheduledFor }, "flat-by-time: strategy instance flattened");
        auditInBackground(this.options.audit, { ...request, action, result: result.status, details: { scheduledFor, ...note, strategy: armed.strategy, closed: result.closed, remaining: result.remaining } });
      }
    } finally {
      this.markDone(armed, at);
    }
  }

  private markDone(armed: Armed, at: number): void {
    armed.settledThrough = Math.max(armed.settledThrough, at);
    armed.nextAt = nextFlatBy(armed.schedule, exchangeCalendar(armed.schedule.exchange), Math.max(at, this.options.now()));
    const lastActedAt = new Date(armed.settledThrough);
    const { prisma, account } = this.options;
    retryInBackground(
      () => prisma.flatBySchedule.updateMany({ where: { account, strategy: armed.strategy }, data: { lastActedAt } }).then(() => undefined),
      undefined,
      (error) => this.options.log?.warn({ err: error, strategy: armed.strategy }, "flat-by-time: could not store the trigger acted on; a restart may act on it again"),
    );
  }

  /** Every symbol of the instance: its working orders cancelled and its position closed; waits for the positions to reach zero. */
  private async flattenStrategy(strategy: string, reason: string): Promise<StrategyFlatResult> {
    const held = () => (this.strategies?.holdings() ?? []).filter((holding) => holding.instance === strategy);
    const open = () => held().filter((holding) => holding.position !== 0).map(({ symbol, position }) => ({ symbol, quantity: position }));
    if (!this.strategies) return { strategy, status: "incomplete", closed: [], remaining: [], message: "The strategies are not running on this server." };
    const closed = open();
    for (const holding of held()) holding.flatten(reason);
    const deadline = Date.now() + (this.options.strategyFlatTimeoutMs ?? 30_000);
    while (open().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, STRATEGY_POLL_MS));
    const remaining = open();
    const message = remaining.length === 0 ? `${strategy}: working orders cancelled and every position closed.` : `${strategy}: still open ${remaining.map((p) => `${p.symbol} ${p.quantity}`).join(", ")}.`;
    return { strategy, status: remaining.length === 0 ? "flat" : "incomplete", closed, remaining, message };
  }

  /** What the schedule's owner holds; null while a strategy's holdings cannot be seen yet. */
  private exposureOf(armed: Armed): FlatByExposure | null {
    if (armed.strategy === null) return this.options.exposure();
    if (!this.strategies) return null;
    const positions = this.strategies.holdings().filter((holding) => holding.instance === armed.strategy && holding.position !== 0).length;
    return { positions, workingOrders: 0 };
  }

  private account(): Armed {
    return this.armed.get(null)!;
  }

  private arm(strategy: string | null, schedule: FlatBySchedule, settledThrough: number): void {
    const nextAt = nextFlatBy(schedule, exchangeCalendar(schedule.exchange), this.options.now());
    this.armed.set(strategy, { strategy, schedule, nextAt, warnedFor: null, settledThrough });
  }
}

function viewOf(armed: Armed): FlatByTimeView {
  const { schedule, nextAt } = armed;
  return {
    enabled: schedule.enabled,
    localTime: schedule.localTime,
    timeZone: schedule.timeZone,
    exchange: schedule.exchange,
    strategy: armed.strategy,
    nextAt: nextAt === null ? null : new Date(nextAt).toISOString(),
  };
}
