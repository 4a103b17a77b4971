/**
 * IBKR's pacing rules on the simulator's clock: historical data requests (error 162) and the
 * 50 messages per second a client may send (error 100, then disconnect).
 */

export const MAX_MESSAGES_PER_SECOND = 50;
const HISTORICAL_WINDOW_MS = 10 * 60_000;
const HISTORICAL_MAX_IN_WINDOW = 60;
const IDENTICAL_WINDOW_MS = 15_000;
const SAME_CONTRACT_WINDOW_MS = 2_000;
const SAME_CONTRACT_MAX = 5;
export const MAX_OPEN_HISTORICAL_REQUESTS = 50;

export interface HistoricalRequestKey {
  /** Everything that makes two requests identical (contract, end, duration, bar size, what, RTH...). */
  identity: string;
  /** Contract + exchange + tick type, for the "six within two seconds" rule. */
  contract: string;
  /** BID_ASK requests count twice. */
  weight: 1 | 2;
}

interface Stamp {
  at: number;
  key: HistoricalRequestKey;
}

export class HistoricalPacer {
  private readonly recent: Stamp[] = [];

  /** Records the request and returns the rule it breaks, or null when it may proceed. */
  admit(key: HistoricalRequestKey, now: number, openRequests: number): string | null {
    this.forgetBefore(now - HISTORICAL_WINDOW_MS);
    const violation = this.violation(key, now, openRequests);
    if (violation === null) this.recent.push({ at: now, key });
    return violation;
  }

  private violation(key: HistoricalRequestKey, now: number, openRequests: number): string | null {
    if (openRequests >= MAX_OPEN_HISTORICAL_REQUESTS) return `more than ${MAX_OPEN_HISTORICAL_REQUESTS} simultaneous open historical data requests`;
    if (this.recent.some((stamp) => stamp.key.identity === key.identity && now - stamp.at < IDENTICAL_WINDOW_MS)) {
      return "identical historical data request within 15 seconds";
    }
    const sameContract = this.recent.filter((stamp) => stamp.key.contract === key.contract && now - stamp.at < SAME_CONTRACT_WINDOW_MS);
    if (sameContract.length >= SAME_CONTRACT_MAX) return "six or more historical data requests for the same contract within 2 seconds";
    const weight = this.recent.reduce((sum, stamp) => sum + stamp.key.weight, 0);
    if (weight + key.weight > HISTORICAL_MAX_IN_WINDOW) return "more than 60 historical data requests within 10 minutes";
    return null;
  }

  private forgetBefore(cutoff: number): void {
    while (this.recent.length > 0 && this.recent[0].at < cutoff) this.recent.shift();
  }
}

/** Sliding one-second count of the messages one client sent. */
export class MessageRateLimiter {
  private readonly stamps: number[] = [];

  /** Records one message; returns the count within the last second when it exceeds the limit. */
  exceeded(now: number): number | null {
    this.stamps.push(now);
    while (this.stamps.length > 0 && this.stamps[0] <= now - 1000) this.stamps.shift();
    return this.stamps.length > MAX_MESSAGES_PER_SECOND ? this.stamps.length : null;
  }
}
