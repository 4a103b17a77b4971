import { EventEmitter } from "node:events";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { exchangeCalendar } from "@/lib/core/calendar";
import { FLAT_BY_WARNING_MS, flatByScheduleSchema, nextFlatBy, type FlatBySchedule } from "@/lib/core/risk";
import type { AuditEvent } from "./audit";
import type { Actor } from "./controls";
import { auditInBackground, type FlattenResult } from "./flatten";
import type { FlatByTimeView } from "./risk-overview";

export interface FlatByTimeEvents {
  /** Five minutes before the flatten: strategies should stop opening and the UI should warn. */
  warning: [info: { at: string; inMs: number }];
  flattened: [result: FlattenResult];
}

export interface FlatByTimeOptions {
  prisma: Pick<PrismaClient, "flatBySchedule">;
  account: string;
  /** Cancels every order (resting GTC bracket children included) and waits for the acknowledgements. */
  cancelAll: (request: { actor: string; source: "schedule" }) => Promise<unknown>;
  flattenAll: (request: { actor: string; source: "schedule" }) => Promise<FlattenResult>;
  now: () => number;
  audit: (event: AuditEvent) => Promise<void>;
  /** Used until a schedule is saved. */
  defaults?: FlatBySchedule;
  /** How often `poll` runs on its own after `start` (default 1 s). */
  pollMs?: number;
}

const DEFAULT_SCHEDULE: FlatBySchedule = { enabled: false, localTime: "15:55", timeZone: "America/New_York", exchange: "XNYS" };
const ACTOR = "flat-by-time";

/**
 * "Be flat at 15:55 America/New_York" for the account, on the exchange's trading days. The next
 * trigger is recomputed from the calendar after every flatten and every change, so weekends,
 * holidays, early closes and DST changes need no special handling here. `poll` is driven by a
 * timer in production and by hand (with an injected clock) in tests.
 */
export class FlatByTimeService extends EventEmitter<FlatByTimeEvents> {
  private schedule: FlatBySchedule;
  private nextAt: number | null = null;
  private warnedFor: number | null = null;
  private firing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: FlatByTimeOptions) {
    super();
    this.schedule = options.defaults ?? DEFAULT_SCHEDULE;
    this.rearm();
  }

  async load(): Promise<FlatBySchedule> {
    const row = await this.options.prisma.flatBySchedule.findUnique({ where: { id: this.options.account } });
    if (row) this.schedule = flatByScheduleSchema.parse({ enabled: row.enabled, localTime: row.localTime, timeZone: row.timeZone, exchange: row.exchange });
    this.rearm();
    return this.schedule;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), this.options.pollMs ?? 1_000);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  current(): FlatBySchedule {
    return this.schedule;
  }

  view(): FlatByTimeView {
    return {
      enabled: this.schedule.enabled,
      localTime: this.schedule.localTime,
      timeZone: this.schedule.timeZone,
      nextAt: this.nextAt === null ? null : new Date(this.nextAt).toISOString(),
    };
  }

  /** Validates, saves and re-arms; audited. */
  async update(input: unknown, actor: Actor): Promise<FlatByTimeView> {
    const schedule = flatByScheduleSchema.parse(input);
    const data = { account: this.options.account, strategy: null, ...schedule };
    await this.options.prisma.flatBySchedule.upsert({ where: { id: this.options.account }, create: { id: this.options.account, ...data }, update: data });
    this.schedule = schedule;
    this.rearm();
    auditInBackground(this.options.audit, { actor: actor.user, source: actor.source, ip: actor.ip ?? null, action: "flat_by.update", result: "ok", details: schedule });
    return this.view();
  }

  /** Warns once inside the last five minutes and flattens once the time has come. */
  async poll(): Promise<void> {
    if (this.firing) return this.firing;
    const at = this.nextAt;
    if (at === null) return;
    const now = this.options.now();
    if (now >= at) {
      this.firing = this.fire(at).finally(() => {
        this.firing = null;
      });
      return this.firing;
    }
    if (now >= at - FLAT_BY_WARNING_MS && this.warnedFor !== at) {
      this.warnedFor = at;
      this.emit("warning", { at: new Date(at).toISOString(), inMs: at - now });
    }
  }

  private async fire(at: number): Promise<void> {
    const request = { actor: ACTOR, source: "schedule" } as const;
    try {
      await this.options.cancelAll(request);
      const result = await this.options.flattenAll(request);
      this.emit("flattened", result);
      auditInBackground(this.options.audit, { ...request, action: "flat_by.trigger", result: result.status, details: { scheduledFor: new Date(at).toISOString(), flattenId: result.id, remaining: result.remaining } });
    } finally {
      this.nextAt = nextFlatBy(this.schedule, exchangeCalendar(this.schedule.exchange), Math.max(at, this.options.now()));
    }
  }

  private rearm(): void {
    this.nextAt = nextFlatBy(this.schedule, exchangeCalendar(this.schedule.exchange), this.options.now());
  }
}
