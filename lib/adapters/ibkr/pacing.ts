/** Time and timers for the pacer; the real ones by default, a fake in tests. */
export interface PacerTimer {
  now(): number;
  setTimeout(run: () => void, ms: number): () => void;
}

export const realTimer: PacerTimer = {
  now: () => Date.now(),
  setTimeout: (run, ms) => {
    const handle = setTimeout(run, ms);
    handle.unref?.();
    return () => clearTimeout(handle);
  },
};

/** Cancels and flatten orders jump the queue; everything else waits its turn. */
export type Lane = "urgent" | "normal";

export interface PacerOptions {
  /** Messages allowed in any one-second window (TWS disconnects a client above 50). */
  perSecond?: number;
  timer?: PacerTimer;
}

const WINDOW_MS = 1_000;

/**
 * The one road for every message to TWS: at most `perSecond` in any sliding one-second
 * window, urgent ones first, in order within a lane.
 */
export class OutgoingPacer {
  private readonly perSecond: number;
  private readonly timer: PacerTimer;
  private readonly lanes: Record<Lane, (() => void)[]> = { urgent: [], normal: [] };
  private readonly sentAt: number[] = [];
  private cancelWake: (() => void) | null = null;

  constructor(options: PacerOptions = {}) {
    this.perSecond = options.perSecond ?? 45;
    if (!Number.isInteger(this.perSecond) || this.perSecond < 1) throw new Error(`perSecond must be a positive integer, got ${options.perSecond}`);
    this.timer = options.timer ?? realTimer;
  }

  send(lane: Lane, message: () => void): void {
    this.lanes[lane].push(message);
    this.drain();
  }

  get depth(): Record<Lane, number> {
    return { urgent: this.lanes.urgent.length, normal: this.lanes.normal.length };
  }

  /** Drops everything still queued (the connection it was meant for is gone). */
  clear(): void {
    this.lanes.urgent.length = 0;
    this.lanes.normal.length = 0;
    this.cancelWake?.();
    this.cancelWake = null;
  }

  private drain(): void {
    if (this.cancelWake) return;
    while (this.hasQueued()) {
      const now = this.timer.now();
      while (this.sentAt.length > 0 && now - this.sentAt[0] >= WINDOW_MS) this.sentAt.shift();
      if (this.sentAt.length >= this.perSecond) {
        this.cancelWake = this.timer.setTimeout(() => {
          this.cancelWake = null;
          this.drain();
        }, this.sentAt[0] + WINDOW_MS - now);
        return;
      }
      const message = (this.lanes.urgent.shift() ?? this.lanes.normal.shift())!;
      this.sentAt.push(now);
      message();
    }
  }

  private hasQueued(): boolean {
    return this.lanes.urgent.length > 0 || this.lanes.normal.length > 0;
  }
}
