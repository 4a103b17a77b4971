import type { Logger } from "pino";
import { z } from "zod";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { exchangeCalendar, type ExchangeCalendar } from "@/lib/core/calendar";
import type { RiskGate } from "@/lib/core/ports";
import {
  exposureOf,
  guardianConfigSchema,
  parseRiskLimits,
  RiskEngine,
  type GuardianConfig,
  type MarketDataStatus,
  type RiskIntent,
  type RiskLimits,
  type RiskVerdict,
  GUARDIAN_LEVELS,
} from "@/lib/core/risk";
import type { DashboardSnapshot } from "./account-view";
import type { AuditEvent } from "./audit";
import type { Actor } from "./controls";
import { FlatByTimeService, type FlatByTimeOptions } from "./flat-by-time";
import { retryInBackground, type FlattenService } from "./flatten";
import { equityOf, Guardian, heldPositions, type GuardianMarkStore, type GuardianOptions } from "./guardian";
import type { FlatByTimeView, GuardianView, LimitUsage, RiskDenialView, RiskOverview } from "./risk-overview";
import { KestrelTradingControls } from "./trading-controls";
import { TradingState } from "./trading-state";

type RiskClient = Pick<PrismaClient, "riskDenial" | "riskSettings">;

export interface RiskServiceOptions {
  prisma: RiskClient;
  account: string;
  view: { snapshot(): DashboardSnapshot };
  state: Pick<TradingState, "mode">;
  calendar: ExchangeCalendar;
  now: () => number;
  guardian: () => GuardianView;
  flatBy: Pick<FlatByTimeService, "view" | "update">;
  /** Whether a symbol's market data is live; by default "live" once a last price has been seen. */
  marketData?: (symbol: string) => MarketDataStatus;
  onPersistFailure?: (error: unknown) => void;
}

const DENIAL_PAGE_DEFAULT = 50;

/**
 * The risk engine in the running app: hands out the RiskGate strategies trade through (fed
 * with the live account), persists every refusal, and answers the dashboard's RiskOverview.
 */
export class RiskService implements RiskOverview {
  private riskLimits: RiskLimits = parseRiskLimits({});
  private guardianSettings: GuardianConfig = guardianConfigSchema.parse({});

  constructor(private readonly options: RiskServiceOptions) {}

  /** Reads the account's stored limits and guardian tiers (defaults when none are stored). */
  async load(): Promise<void> {
    const row = await this.options.prisma.riskSettings.findUnique({ where: { account: this.options.account } });
    if (!row) return;
    this.riskLimits = parseRiskLimits(row.limits);
    this.guardianSettings = guardianConfigSchema.parse(row.guardian);
  }

  async saveSettings(input: { limits?: unknown; guardian?: unknown }): Promise<void> {
    const limits = input.limits === undefined ? this.riskLimits : parseRiskLimits(input.limits);
    const guardian = input.guardian === undefined ? this.guardianSettings : guardianConfigSchema.parse(input.guardian);
    const data = { limits: limits as object, guardian: guardian as object };
    await this.options.prisma.riskSettings.upsert({ where: { account: this.options.account }, create: { account: this.options.account, ...data }, update: data });
    this.riskLimits = limits;
    this.guardianSettings = guardian;
  }

  currentLimits(): RiskLimits {
    return this.riskLimits;
  }

  guardianConfig(): GuardianConfig {
    return this.guardianSettings;
  }

  /** The gate a strategy's engine checks every intent with; `strategy` labels its refusals. */
  gate(strategy: string | null = null): RiskGate {
    return new RiskEngine({
      limits: () => this.riskLimits,
      snapshot: (intent) => this.snapshotFor(intent.symbol),
      onDenied: (intent, verdict, at) => this.recordDenial({ ...intent, strategy: (intent as RiskIntent).strategy ?? strategy }, verdict, at),
    });
  }

  limits(): readonly LimitUsage[] {
    const positions = heldPositions(this.options.view.snapshot());
    const equity = this.equity();
    const exposure = exposureOf(positions);
    const pct = (value: number) => (equity > 0 ? (value / equity) * 100 : 0);
    const limits = this.riskLimits;
    return [
      { name: "Open positions", limit: limits.maxOpenPositions, used: positions.length, unit: "count" },
      { name: "Gross exposure", limit: limits.maxGrossExposurePct, used: pct(exposure.gross), unit: "percent" },
      { name: "Net exposure", limit: limits.maxNetExposurePct, used: pct(exposure.net), unit: "percent" },
      { name: `Concentration${exposure.largest ? ` (${exposure.largest.symbol})` : ""}`, limit: limits.maxConcentrationPct, used: pct(exposure.largest?.value ?? 0), unit: "percent" },
      { name: "Largest position", limit: limits.maxPositionNotional, used: exposure.largest?.value ?? 0, unit: "currency" },
    ];
  }

  async recentDenials(limit = DENIAL_PAGE_DEFAULT): Promise<readonly RiskDenialView[]> {
    const rows = await this.options.prisma.riskDenial.findMany({ orderBy: { id: "desc" }, take: Math.min(Math.max(limit, 1), 500) });
    return rows.map((row) => ({ at: row.at.toISOString(), symbol: row.symbol, strategy: row.strategy, rule: row.rule, reason: row.reason }));
  }

  guardian(): GuardianView {
    return this.options.guardian();
  }

  flatByTime(): FlatByTimeView {
    return this.options.flatBy.view();
  }

  /** Saves the account's "be flat by" schedule (validated) and re-arms it. */
  updateFlatByTime(input: unknown, actor: Actor): Promise<FlatByTimeView> {
    return this.options.flatBy.update(input, actor);
  }

  private snapshotFor(symbol: string) {
    const snapshot = this.options.view.snapshot();
    const now = this.options.now();
    const quote = snapshot.quotes.find((candidate) => candidate.symbol === symbol);
    return {
      now,
      mode: this.options.state.mode,
      equity: this.equity(snapshot),
      positions: heldPositions(snapshot),
      lastPrice: quote?.last ?? null,
      marketData: this.options.marketData?.(symbol) ?? (quote?.last ? "live" : "none"),
      sessionOpen: this.options.calendar.isOpenAt(now),
    } as const;
  }

  private equity(snapshot = this.options.view.snapshot()): number {
    return equityOf(snapshot, heldPositions(snapshot)) ?? 0;
  }

  /** Persisted in the background (the gate answers synchronously) and retried if the database is down. */
  private recordDenial(intent: RiskIntent, verdict: Extract<RiskVerdict, { approved: false }>, at: number): void {
    const data = {
      at: new Date(at),
      account: this.options.account,
      symbol: intent.symbol,
      strategy: intent.strategy ?? null,
      rule: verdict.rule,
      reason: verdict.reason,
      intent: JSON.parse(JSON.stringify(intent)) as object,
    };
    retryInBackground(() => this.options.prisma.riskDenial.create({ data }).then(() => undefined), undefined, this.options.onPersistFailure);
  }
}

export interface RiskStackOptions {
  prisma: PrismaClient;
  /** The key the trading mode, limits and schedules are stored under (one per broker account). */
  account: string;
  exchange: "XNYS" | "XNSE";
  view: GuardianOptions["view"];
  flatten: FlattenService;
  now: () => number;
  audit: (event: AuditEvent) => Promise<void>;
  log: Pick<Logger, "warn" | "error" | "info">;
  /** The broker's market-data entitlement per symbol ("frozen" counts as delayed). */
  marketData?: (symbol: string) => "live" | "delayed" | "frozen" | "none";
  /** Each reconcile with the broker (the engine's `onReconciled`): flat-by-time catches up a trigger missed while down. */
  onReconciled?: FlatByTimeOptions["onReconciled"];
}

export interface RiskStack {
  readonly state: TradingState;
  readonly risk: RiskService;
  readonly controls: KestrelTradingControls;
  readonly guardian: Guardian;
  readonly flatByTime: FlatByTimeService;
  /** Loads the persisted mode, limits and schedule, then starts watching. */
  start(): Promise<void>;
  stop(): void;
}

/** Builds the trading state, risk engine, guardian, flat-by-time schedule and manual controls around one flatten service. */
export function createRiskStack(options: RiskStackOptions): RiskStack {
  const { prisma, account, flatten, now, audit, log } = options;
  const calendar = exchangeCalendar(options.exchange);
  const state = new TradingState({ prisma, account, now, onPersistFailure: (error) => log.error({ err: error }, "could not store the trading mode yet; retrying") });
  const flatByTime = new FlatByTimeService({
    prisma,
    account,
    now,
    audit,
    cancelAll: (request) => flatten.cancelAll(request),
    flattenAll: (request) => flatten.flattenAll(request),
    exposure: () => {
      const snapshot = options.view.snapshot();
      return { positions: heldPositions(snapshot).length, workingOrders: snapshot.orders.length };
    },
    onReconciled: options.onReconciled,
    log,
    defaults: { enabled: false, localTime: options.exchange === "XNSE" ? "15:28" : "15:55", timeZone: calendar.timeZone, exchange: options.exchange },
  });
  let guardian: Guardian | null = null;
  const risk = new RiskService({
    prisma,
    account,
    view: options.view,
    state,
    calendar,
    now,
    guardian: () => guardian!.view(),
    flatBy: flatByTime,
    marketData: options.marketData ? (symbol) => asMarketDataStatus(options.marketData!(symbol)) : undefined,
    onPersistFailure: (error) => log.error({ err: error }, "could not store a risk denial"),
  });
  guardian = new Guardian({
    view: options.view,
    state,
    flattenAll: (request) => flatten.flattenAll(request),
    config: () => risk.guardianConfig(),
    limits: () => risk.currentLimits(),
    calendar,
    now,
    audit,
    marks: guardianMarkStore(prisma, account),
    onStoreFailure: (error) => log.warn({ err: error }, "could not store the guardian's session marks; retrying with the next change"),
  });
  const controls = new KestrelTradingControls({ state, flatten, audit, onAuditFailure: (error) => log.error({ err: error }, "audit row lost") });
  flatByTime.on("warning", (info) => log.warn(info, "flat-by-time: flattening in five minutes"));
  guardian.on("tier", (level, assessment) => log.warn({ level, reasons: assessment.reasons }, "guardian tier reached"));
  return {
    state,
    risk,
    controls,
    guardian,
    flatByTime,
    async start() {
      await Promise.all([state.load(), risk.load(), flatByTime.load(), guardian!.restore()]);
      guardian!.start();
      flatByTime.start();
    },
    stop() {
      guardian!.stop();
      flatByTime.stop();
    },
  };
}

/** The guardian's session marks in Postgres, one row per account and trading day. */
export function guardianMarkStore(prisma: PrismaClient, account: string): GuardianMarkStore {
  return {
    async load(session) {
      const row = await prisma.guardianSession.findUnique({ where: { account_sessionDay: { account, sessionDay: session } } });
      return row ? { openingEquity: row.openingEquity, peakEquity: row.peakEquity, level: z.enum(GUARDIAN_LEVELS).parse(row.level) } : null;
    },
    async save(session, marks) {
      const data = { openingEquity: marks.openingEquity, peakEquity: marks.peakEquity, level: marks.level };
      await prisma.guardianSession.upsert({ where: { account_sessionDay: { account, sessionDay: session } }, create: { account, sessionDay: session, ...data }, update: data });
    },
  };
}

function asMarketDataStatus(entitlement: "live" | "delayed" | "frozen" | "none"): MarketDataStatus {
  return entitlement === "frozen" ? "delayed" : entitlement;
}
