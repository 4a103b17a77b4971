import type { Logger } from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { exchangeCalendar, isDayKey, type DayKey, type ExchangeCalendar } from "@/lib/core/calendar";
import {
  buildDayReport,
  parseBrokerExecutions,
  reconcile,
  reconciliationUnavailable,
  type DayReport,
  type Reconciliation,
  type RiskEvent,
} from "@/lib/core/reports";
import { HttpError } from "@/lib/auth/errors";
import type { BrokerExecutionsSource } from "./broker-source";
import { daysWithFills, loadDayFills, loadManualActions } from "./journal";
import { EndOfDayScheduler, systemClock, type SchedulerClock } from "./scheduler";
import { reportWorkbook } from "./xlsx";
import { fillsCsv } from "./csv";
import { discordSummary } from "./discord";

/** Risk events of a day; the risk engine plugs in here once it records them. */
export type RiskEventsSource = (day: DayKey, window: { start: number; end: number }) => Promise<RiskEvent[]>;

export interface ReportsServiceOptions {
  prisma: PrismaClient;
  log: Logger;
  /** MIC of the exchange whose calendar defines a day: "XNYS" (default) or "XNSE". */
  exchange?: string;
  /** The broker's executions to reconcile against; without it reports say "not checked". */
  broker?: BrokerExecutionsSource;
  /** Posts the end-of-day summary (e.g. a Discord webhook); failures are logged, never thrown. */
  notify?: (message: string) => Promise<void>;
  riskEvents?: RiskEventsSource;
  clock?: SchedulerClock;
  delayAfterCloseMs?: number;
}

export interface DayListEntry {
  day: DayKey;
  realizedPnl: number;
  net: number;
  fills: number;
  stored: boolean;
  reconciled: string;
}

export type ReportsService = ReturnType<typeof createReportsService>;

/** The daily-report use cases and the end-of-day scheduler; created once by server.ts. */
export function createReportsService(options: ReportsServiceOptions) {
  const { prisma, log } = options;
  const calendar: ExchangeCalendar = exchangeCalendar(options.exchange ?? "XNYS");
  const clock = options.clock ?? systemClock;

  async function reconciliationFor(day: DayKey, report: DayReport): Promise<Reconciliation | null> {
    if (!options.broker) return null;
    const source = options.broker.name;
    try {
      const executions = parseBrokerExecutions(await options.broker.executionsForDay(day), source);
      return reconcile(report.fills, executions, source, clock.now());
    } catch (error) {
      log.warn({ err: error, day }, "reconciliation with the broker failed");
      return reconciliationUnavailable(report.fills, source, clock.now(), error instanceof Error ? error.message : String(error));
    }
  }

  /** A fresh report from the journal, reconciled with the broker. */
  async function build(day: DayKey): Promise<DayReport> {
    const [fills, manualActions] = await Promise.all([loadDayFills(prisma, calendar, day), loadManualActions(prisma, calendar, day)]);
    const window = calendar.isTradingDay(day) ? calendar.tradingDayWindow(day) : null;
    const riskEvents = window && options.riskEvents ? await options.riskEvents(day, window) : [];
    const report = buildDayReport({ day, calendar, fills, manualActions, riskEvents });
    return { ...report, reconciliation: await reconciliationFor(day, report) };
  }

  async function stored(day: DayKey): Promise<DayReport | null> {
    const row = await prisma.dailyReport.findUnique({ where: { exchange_day: { exchange: calendar.exchange.mic, day } } });
    return row ? (row.report as unknown as DayReport) : null;
  }

  async function store(report: DayReport): Promise<void> {
    const data = {
      builtAt: new Date(clock.now()),
      schemaVersion: report.schemaVersion,
      realizedPnl: String(report.summary.realizedPnl),
      net: String(report.summary.net),
      fills: report.summary.fills,
      reconciled: report.reconciliation?.status ?? "not_checked",
      report: JSON.parse(JSON.stringify(report)),
    };
    const key = { exchange: calendar.exchange.mic, day: report.day };
    await prisma.dailyReport.upsert({ where: { exchange_day: key }, create: { ...key, ...data }, update: data });
  }

  /** Builds, freezes and announces the report of a closed session. */
  async function closeDay(day: DayKey): Promise<DayReport> {
    const report = await build(day);
    await store(report);
    log.info({ day, fills: report.summary.fills, reconciliation: report.reconciliation?.status }, "daily report stored");
    if (options.notify) {
      await options.notify(discordSummary(report)).catch((error: unknown) => log.warn({ err: error, day }, "posting the daily summary failed"));
    }
    return report;
  }

  const scheduler = new EndOfDayScheduler({
    calendar,
    clock,
    delayAfterCloseMs: options.delayAfterCloseMs,
    buildDay: async (day) => void (await closeDay(day)),
    hasReport: async (day) => (await stored(day)) !== null,
    onError: (error, day) => log.error({ err: error, day }, "building the daily report failed"),
  });

  return {
    calendar,
    /** Parses a URL segment; a bad or uncovered date is a 404 that says why. */
    parseDay(raw: string): DayKey {
      if (!isDayKey(raw)) throw new HttpError(404, "not_found", `No report for "${raw}": a day is a calendar date written YYYY-MM-DD.`);
      try {
        calendar.isTradingDay(raw);
      } catch (error) {
        throw new HttpError(404, "not_found", `No report for ${raw}: ${error instanceof Error ? error.message : String(error)}.`);
      }
      return raw;
    },
    /** The frozen snapshot of a closed day, else a live build (today, or a day never stored). */
    async report(day: DayKey): Promise<DayReport> {
      return (await stored(day)) ?? (await build(day));
    },
    build,
    closeDay,
    stored,
    async xlsx(day: DayKey): Promise<Buffer> {
      return reportWorkbook(await this.report(day));
    },
    async csv(day: DayKey): Promise<string> {
      return fillsCsv(await this.report(day));
    },
    /** Trading days with fills or a stored report in the last `days` calendar days, newest first. */
    async listDays(days = 90): Promise<DayListEntry[]> {
      const since = new Date(clock.now() - days * 86_400_000);
      const [withFills, snapshots] = await Promise.all([
        daysWithFills(prisma, calendar, since),
        prisma.dailyReport.findMany({ where: { exchange: calendar.exchange.mic }, orderBy: { day: "desc" }, take: days }),
      ]);
      const byDay = new Map<DayKey, DayListEntry>();
      for (const row of snapshots) {
        byDay.set(row.day, { day: row.day, realizedPnl: Number(row.realizedPnl), net: Number(row.net), fills: row.fills, stored: true, reconciled: row.reconciled });
      }
      for (const day of withFills.filter((candidate) => !byDay.has(candidate))) {
        const { summary } = buildDayReport({ day, calendar, fills: await loadDayFills(prisma, calendar, day) });
        byDay.set(day, { day, realizedPnl: summary.realizedPnl, net: summary.net, fills: summary.fills, stored: false, reconciled: "not_checked" });
      }
      return [...byDay.values()].sort((a, b) => (a.day < b.day ? 1 : -1));
    },
    start: () => scheduler.start(),
    stop: () => scheduler.stop(),
    idle: () => scheduler.idle(),
  };
}
