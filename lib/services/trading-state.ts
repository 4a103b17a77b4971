import { EventEmitter } from "node:events";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { TRADING_MODES, type TradingMode } from "@/lib/core/risk";
import type { TradingStatus } from "./controls";

type StateClient = Pick<PrismaClient, "tradingState">;

const STRICTNESS: Record<TradingMode, number> = { ACTIVE: 0, REDUCING: 1, HALTED: 2 };

export interface TradingStateEvents {
  change: [status: TradingStatus];
}

export interface TradingStateOptions {
  prisma: StateClient;
  /** The broker account the mode belongs to. */
  account: string;
  now: () => number;
  /** Called when a stricter mode could not be written yet (it still holds in memory and is retried). */
  onPersistFailure?: (error: unknown) => void;
  persistRetryDelaysMs?: readonly number[];
}

/**
 * ACTIVE -> REDUCING -> HALTED, kept in Postgres so a restart keeps it. Anything may make the
 * mode stricter (and that holds at once, even with the database down); only `resume` loosens it.
 */
export class TradingState extends EventEmitter<TradingStateEvents> {
  private current: TradingStatus;

  constructor(private readonly options: TradingStateOptions) {
    super();
    this.current = { mode: "ACTIVE", since: new Date(options.now()).toISOString(), reason: null, changedBy: null };
  }

  /** Reads the persisted mode; an account never seen starts ACTIVE. */
  async load(): Promise<TradingStatus> {
    const row = await this.options.prisma.tradingState.findUnique({ where: { account: this.options.account } });
    if (row) {
      const mode = (TRADING_MODES as readonly string[]).includes(row.mode) ? (row.mode as TradingMode) : "HALTED";
      this.current = { mode, since: row.since.toISOString(), reason: row.reason, changedBy: row.changedBy };
    }
    return this.current;
  }

  status(): TradingStatus {
    return this.current;
  }

  get mode(): TradingMode {
    return this.current.mode;
  }

  /** Moves to `mode` if it is stricter than now; a looser or equal mode leaves things as they are. */
  async tighten(mode: Exclude<TradingMode, "ACTIVE">, changedBy: string, reason: string): Promise<TradingStatus> {
    if (STRICTNESS[mode] <= STRICTNESS[this.current.mode]) return this.current;
    this.set({ mode, since: new Date(this.options.now()).toISOString(), reason, changedBy });
    await this.persistWithRetry(this.current);
    return this.current;
  }

  /** Back to ACTIVE; written before it takes effect, so a resume the database did not keep never happened. */
  async resume(changedBy: string): Promise<TradingStatus> {
    const next: TradingStatus = { mode: "ACTIVE", since: new Date(this.options.now()).toISOString(), reason: null, changedBy };
    await this.persist(next);
    this.set(next);
    return next;
  }

  private set(status: TradingStatus): void {
    this.current = status;
    this.emit("change", status);
  }

  /** One write now; if the database is down, keep retrying in the background without holding the caller. */
  private async persistWithRetry(status: TradingStatus): Promise<void> {
    try {
      await this.persist(status);
    } catch (error) {
      this.options.onPersistFailure?.(error);
      void this.retryLater(status, this.options.persistRetryDelaysMs ?? [1_000, 5_000, 30_000, 120_000]);
    }
  }

  private async retryLater(status: TradingStatus, delays: readonly number[]): Promise<void> {
    for (const delay of delays) {
      await new Promise((resolve) => setTimeout(resolve, delay).unref?.());
      if (this.current !== status) return;
      try {
        await this.persist(status);
        return;
      } catch (error) {
        this.options.onPersistFailure?.(error);
      }
    }
  }

  private async persist(status: TradingStatus): Promise<void> {
    const data = { mode: status.mode, since: new Date(status.since), reason: status.reason, changedBy: status.changedBy };
    await this.options.prisma.tradingState.upsert({ where: { account: this.options.account }, create: { account: this.options.account, ...data }, update: data });
  }
}
