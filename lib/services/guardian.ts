import { EventEmitter } from "node:events";
import type { ExchangeCalendar } from "@/lib/core/calendar";
import { assessGuardian, deeper, type GuardianAssessment, type GuardianConfig, type GuardianLevel, type HeldPosition, type RiskLimits } from "@/lib/core/risk";
import type { AccountViewEvents, DashboardSnapshot } from "./account-view";
import type { AuditEvent } from "./audit";
import { auditInBackground, type FlattenResult } from "./flatten";
import type { GuardianView } from "./risk-overview";
import type { TradingState } from "./trading-state";

export interface GuardianEvents {
  /** A tier was reached for the first time this session (warn, reducing or halted). */
  tier: [level: GuardianLevel, assessment: GuardianAssessment];
}

export interface GuardianOptions {
  view: Pick<EventEmitter<AccountViewEvents>, "on" | "off"> & { snapshot(): DashboardSnapshot };
  state: Pick<TradingState, "tighten">;
  flattenAll: (request: { actor: string; source: "guardian" }) => Promise<FlattenResult>;
  config: () => GuardianConfig;
  limits: () => RiskLimits;
  calendar: ExchangeCalendar;
  now: () => number;
  audit: (event: AuditEvent) => Promise<void>;
  /** Keeps the session's marks across restarts; without it they live in memory only. */
  marks?: GuardianMarkStore;
  /** How long a breach must hold before a tier acts (default GUARDIAN_CONFIRM_MS; 0 acts at once). */
  confirmMs?: number;
  onStoreFailure?: (error: unknown) => void;
}

/** What the guardian must remember of a session to measure it correctly after a restart. */
export interface GuardianMarks {
  readonly openingEquity: number;
  readonly peakEquity: number;
  readonly level: GuardianLevel;
}

export interface GuardianMarkStore {
  load(session: string): Promise<GuardianMarks | null>;
  save(session: string, marks: GuardianMarks): Promise<void>;
}

const ACTOR = "guardian";

/**
 * A tier acts only when its breach still holds this long after it was first seen. The account's
 * pieces arrive as separate messages (a sold position before the cash it raised) and a single bad
 * print can mark a position far off; neither should halt and flatten the account.
 */
export const GUARDIAN_CONFIRM_MS = 5_000;

/**
 * Watches the account on every account, position and quote event. Equity is cash plus every
 * position at its last price, so it moves with unrealized P&L and already has commissions paid.
 * Daily loss is measured from the session's first equity, drawdown from its peak; each tier
 * acts once per session: warn -> REDUCING -> flatten + HALTED. Over-exposure means REDUCING.
 */
export class Guardian extends EventEmitter<GuardianEvents> {
  private session: string | null = null;
  private openingEquity: number | null = null;
  private peakEquity: number | null = null;
  private level: GuardianLevel = "normal";
  private last: GuardianAssessment | null = null;
  private readonly listener = () => this.evaluate();
  private saving: Promise<void> | null = null;
  private unsaved = false;
  /** A deeper tier seen but not yet confirmed: since when, and the re-check that confirms it. */
  private breach: { since: number; recheck: NodeJS.Timeout | null } | null = null;

  constructor(private readonly options: GuardianOptions) {
    super();
  }

  /** Picks up the marks of the session in progress, if an earlier run stored them. */
  async restore(): Promise<void> {
    const session = this.options.calendar.tradingDayOf(this.options.now());
    const marks = await this.options.marks?.load(session);
    if (!marks) return;
    this.session = session;
    this.openingEquity = marks.openingEquity;
    this.peakEquity = marks.peakEquity;
    this.level = marks.level;
  }

  start(): void {
    for (const event of ["account", "positions", "quote"] as const) this.options.view.on(event, this.listener);
  }

  stop(): void {
    for (const event of ["account", "positions", "quote"] as const) this.options.view.off(event, this.listener);
    this.clearBreach();
  }

  view(): GuardianView {
    return {
      tier: this.level,
      openingEquity: this.openingEquity,
      dayPnl: this.last?.dayPnl ?? null,
      drawdownFromPeak: this.last?.drawdown ?? null,
    };
  }

  /** Re-measures the account and acts on any deeper tier; returns the assessment (null without equity). */
  evaluate(): GuardianAssessment | null {
    if (!this.options.config().enabled) return null;
    const snapshot = this.options.view.snapshot();
    const positions = heldPositions(snapshot);
    const equity = equityOf(snapshot, positions);
    if (equity === null) return null;
    this.rollSession(equity);
    if (this.peakEquity === null || equity > this.peakEquity) {
      this.peakEquity = equity;
      this.storeMarks();
    }
    const assessment = assessGuardian(this.options.config(), this.options.limits(), {
      equity,
      openingEquity: this.openingEquity ?? equity,
      peakEquity: this.peakEquity,
      positions,
    });
    this.last = assessment;
    if (deeper(assessment.level, this.level)) this.confirm(assessment);
    else this.clearBreach();
    return assessment;
  }

  /** Acts on a deeper tier once its breach has held for the confirmation time. */
  private confirm(assessment: GuardianAssessment): void {
    const confirmMs = this.options.confirmMs ?? GUARDIAN_CONFIRM_MS;
    const now = this.options.now();
    this.breach ??= { since: now, recheck: null };
    const waited = now - this.breach.since;
    if (waited < confirmMs) {
      this.breach.recheck ??= setTimeout(() => {
        if (this.breach) this.breach.recheck = null;
        this.evaluate();
      }, confirmMs - waited).unref();
      return;
    }
    this.clearBreach();
    this.escalate(assessment);
  }

  private clearBreach(): void {
    if (this.breach?.recheck) clearTimeout(this.breach.recheck);
    this.breach = null;
  }

  private rollSession(equity: number): void {
    const session = this.options.calendar.tradingDayOf(this.options.now());
    if (session === this.session) return;
    this.session = session;
    this.openingEquity = equity;
    this.peakEquity = equity;
    this.level = "normal";
    this.storeMarks();
  }

  /** Writes the latest marks, one write at a time; marks that change meanwhile go in the next. */
  private storeMarks(): void {
    const store = this.options.marks;
    if (!store || this.session === null || this.openingEquity === null || this.peakEquity === null) return;
    if (this.saving) {
      this.unsaved = true;
      return;
    }
    const marks = { openingEquity: this.openingEquity, peakEquity: this.peakEquity, level: this.level };
    this.saving = store
      .save(this.session, marks)
      .catch((error: unknown) => this.options.onStoreFailure?.(error))
      .finally(() => {
        this.saving = null;
        if (this.unsaved) {
          this.unsaved = false;
          this.storeMarks();
        }
      });
  }

  private escalate(assessment: GuardianAssessment): void {
    const from = this.level;
    this.level = assessment.level;
    this.storeMarks();
    const reason = assessment.reasons.join("; ");
    this.emit("tier", assessment.level, assessment);
    this.audit(`guardian.${assessment.level}`, "ok", { from, reasons: assessment.reasons, dayPnl: assessment.dayPnl, drawdown: assessment.drawdown });
    if (assessment.level === "reducing") void this.options.state.tighten("REDUCING", ACTOR, reason);
    if (assessment.level === "halted") void this.haltAndFlatten(reason);
  }

  /** HALTED first, so nothing new is opened while the flatten runs. */
  private async haltAndFlatten(reason: string): Promise<void> {
    await this.options.state.tighten("HALTED", ACTOR, reason);
    const result = await this.options.flattenAll({ actor: ACTOR, source: "guardian" });
    this.audit("guardian.flatten", result.status, { flattenId: result.id, remaining: result.remaining });
  }

  private audit(action: string, result: string, details: unknown): void {
    auditInBackground(this.options.audit, { actor: ACTOR, source: "guardian", action, result, details });
  }
}

export function heldPositions(snapshot: DashboardSnapshot): HeldPosition[] {
  return snapshot.positions
    .filter((row) => row.quantity !== 0)
    .map((row) => ({ symbol: row.symbol, quantity: row.quantity, price: row.marketPrice ?? row.avgCost }));
}

/** Cash plus positions at their marks; the broker's net liquidation when cash is not known. */
export function equityOf(snapshot: DashboardSnapshot, positions: readonly HeldPosition[]): number | null {
  const cash = snapshot.account.totalCash;
  if (cash === null) return snapshot.account.netLiquidation;
  return positions.reduce((sum, position) => sum + position.quantity * position.price, cash);
}
