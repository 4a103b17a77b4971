/**
 * Holds the latest payload per key until the next flush: a burst of changes to one key
 * becomes one push carrying the newest value. Keys keep their first-seen order.
 */
export class LatestValueCoalescer<Key, Value> {
  private pending = new Map<Key, Value>();

  offer(key: Key, value: Value): void {
    this.pending.set(key, value);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Everything offered since the last drain, then forgets it. */
  drain(): [Key, Value][] {
    if (this.pending.size === 0) return [];
    const entries = [...this.pending.entries()];
    this.pending = new Map();
    return entries;
  }
}

/** Counts pushes in a sliding one-second window; the bench and tests read the peak rate. */
export class PushRateMeter {
  private readonly stamps: number[] = [];
  private peak = 0;

  record(nowMs: number): void {
    this.stamps.push(nowMs);
    while (this.stamps.length > 0 && this.stamps[0] <= nowMs - 1000) this.stamps.shift();
    this.peak = Math.max(this.peak, this.stamps.length);
  }

  get peakPerSecond(): number {
    return this.peak;
  }
}
