import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { AlertKind } from "@/lib/adapters/discord/levels";
import { mergeAlerts, type AlertHistoryEntry, type AlertRecord, type AlertSeverity } from "./alert-history-entry";

export { ALERT_SEVERITIES, mergeAlerts, type AlertHistoryEntry, type AlertRecord, type AlertSeverity } from "./alert-history-entry";

const DAY_MS = 24 * 60 * 60_000;
export const ALERT_PAGE_MAX = 200;

export interface AlertHistoryOptions {
  prisma: PrismaClient;
  log: Pick<Logger, "warn" | "info">;
  now?: () => number;
  /** Alerts older than this are deleted on start and once a day. */
  retentionDays?: number;
  /** How many of the newest alerts a (re)connecting browser gets. */
  recentLimit?: number;
  /** Wait before writing again after Postgres refused a write. */
  retryMs?: number;
  /** Alerts held while Postgres is unreachable; beyond this the oldest unwritten ones are dropped. */
  maxPending?: number;
}

export interface AlertPage {
  alerts: AlertHistoryEntry[];
  /** Pass as `before` for the next older page; null when there is none. */
  nextBefore: number | null;
}

type AlertRow = { id: bigint; at: Date; kind: string; level: string; text: string; symbol: string | null; strategy: string | null; details: unknown };

/**
 * The dashboard's alert history. `record` returns at once and never throws: the alert gets its
 * id and reaches listeners (the socket feed) straight away, and is written to Postgres in the
 * background; while Postgres is down alerts wait in memory and are written when it is back.
 */
export class AlertHistory {
  private readonly now: () => number;
  private readonly events = new EventEmitter<{ alert: [AlertHistoryEntry] }>();
  /** Newest first. */
  private recent: AlertHistoryEntry[] = [];
  /** Oldest first; still to be written. */
  private pending: AlertHistoryEntry[] = [];
  private lastId = 0;
  private writing: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private failing = false;
  private dropped = 0;

  constructor(private readonly options: AlertHistoryOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Prunes old alerts and loads the newest; a database failure here is logged, not thrown. */
  async start(): Promise<void> {
    try {
      await this.prune();
      const rows = await this.options.prisma.alertHistoryEntry.findMany({ orderBy: { id: "desc" }, take: this.recentLimit });
      this.recent = mergeAlerts(rows.map(fromRow), this.recent, this.recentLimit);
      this.lastId = Math.max(this.lastId, rows[0] ? Number(rows[0].id) : 0);
    } catch (error) {
      this.options.log.warn({ err: error }, "the alert history could not be read; starting with an empty feed");
    }
    this.pruneTimer = setInterval(() => void this.prune().catch((error: unknown) => this.options.log.warn({ err: error }, "pruning the alert history failed")), DAY_MS);
    this.pruneTimer.unref();
  }

  record(alert: AlertRecord): AlertHistoryEntry | null {
    try {
      const at = this.now();
      this.lastId = Math.max(at * 1000, this.lastId + 1);
      const entry: AlertHistoryEntry = {
        id: this.lastId,
        at: new Date(at).toISOString(),
        kind: alert.kind,
        level: alert.level,
        text: plainText(alert.text),
        symbol: alert.symbol ?? null,
        strategy: alert.strategy ?? null,
        details: alert.details ?? null,
      };
      this.recent = [entry, ...this.recent].slice(0, this.recentLimit);
      this.enqueue(entry);
      this.announce(entry);
      return entry;
    } catch (error) {
      this.options.log.warn({ err: error }, "an alert could not be recorded");
      return null;
    }
  }

  /** The newest alerts, newest first, including any not yet written. */
  latest(): AlertHistoryEntry[] {
    return [...this.recent];
  }

  /** Alerts older than `before` (all when absent), newest first. */
  async page({ before, limit }: { before?: number; limit: number }): Promise<AlertPage> {
    const take = Math.min(Math.max(1, limit), ALERT_PAGE_MAX);
    const rows = await this.options.prisma.alertHistoryEntry.findMany({
      where: before === undefined ? {} : { id: { lt: BigInt(before) } },
      orderBy: { id: "desc" },
      take,
    });
    const unwritten = this.pending.filter((entry) => before === undefined || entry.id < before);
    const alerts = mergeAlerts(rows.map(fromRow), unwritten, take);
    return { alerts, nextBefore: alerts.length === take ? alerts[alerts.length - 1].id : null };
  }

  onAlert(listener: (entry: AlertHistoryEntry) => void): () => void {
    this.events.on("alert", listener);
    return () => this.events.off("alert", listener);
  }

  /** Waits for the writes under way; call on shutdown, before the database goes. */
  async stop(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.cancelRetry();
    await this.writing;
    if (this.pending.length > 0) await this.flush();
    this.cancelRetry();
    if (this.pending.length > 0) this.options.log.warn({ unwritten: this.pending.length }, "alerts not written to the history before shutdown");
  }

  /** How many alerts wait for Postgres. */
  get unwritten(): number {
    return this.pending.length;
  }

  private get recentLimit(): number {
    return this.options.recentLimit ?? 50;
  }

  private cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private async prune(): Promise<void> {
    const cutoff = new Date(this.now() - (this.options.retentionDays ?? 90) * DAY_MS);
    const { count } = await this.options.prisma.alertHistoryEntry.deleteMany({ where: { at: { lt: cutoff } } });
    if (count > 0) this.options.log.info({ count, before: cutoff.toISOString() }, "old alerts pruned from the history");
  }

  private enqueue(entry: AlertHistoryEntry): void {
    this.pending.push(entry);
    const overflow = this.pending.length - (this.options.maxPending ?? 5_000);
    if (overflow > 0) {
      this.pending.splice(0, overflow);
      this.dropped += overflow;
    }
    if (!this.retryTimer) void this.flush();
  }

  private announce(entry: AlertHistoryEntry): void {
    for (const listener of this.events.listeners("alert")) {
      try {
        listener(entry);
      } catch (error) {
        this.options.log.warn({ err: error }, "an alert listener failed");
      }
    }
  }

  /** One writer at a time, in batches, oldest first; a failure keeps the batch and retries later. */
  private flush(): Promise<void> {
    this.writing ??= this.writeAll().finally(() => {
      this.writing = null;
    });
    return this.writing;
  }

  private async writeAll(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, 100);
      try {
        await this.options.prisma.alertHistoryEntry.createMany({ data: batch.map(toRow), skipDuplicates: true });
      } catch (error) {
        this.onWriteFailure(error);
        return;
      }
      this.pending.splice(0, batch.length);
      this.onWriteSuccess();
    }
  }

  private onWriteFailure(error: unknown): void {
    if (!this.failing) this.options.log.warn({ err: error, unwritten: this.pending.length }, "alerts could not be written; keeping them in memory and retrying");
    this.failing = true;
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = null;
      void this.flush();
    }, this.options.retryMs ?? 5_000);
    this.retryTimer.unref();
  }

  private onWriteSuccess(): void {
    if (!this.failing) return;
    this.failing = false;
    this.options.log.info({ dropped: this.dropped }, "alert history writes resumed");
    this.dropped = 0;
  }
}

/** Discord's bold markers mean nothing on the dashboard. */
function plainText(text: string): string {
  return text.replaceAll("**", "");
}

function toRow(entry: AlertHistoryEntry) {
  return {
    id: BigInt(entry.id),
    at: new Date(entry.at),
    kind: entry.kind,
    level: entry.level,
    text: entry.text,
    symbol: entry.symbol,
    strategy: entry.strategy,
    details: entry.details === null ? undefined : (entry.details as object),
  };
}

function fromRow(row: AlertRow): AlertHistoryEntry {
  return {
    id: Number(row.id),
    at: row.at.toISOString(),
    kind: row.kind as AlertKind,
    level: row.level as AlertSeverity,
    text: row.text,
    symbol: row.symbol,
    strategy: row.strategy,
    details: row.details && typeof row.details === "object" ? (row.details as Record<string, unknown>) : null,
  };
}
