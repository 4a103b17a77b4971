/**
 * Which client id to connect with after `conflicts` consecutive 326 "client id already in use"
 * answers: the configured id `retriesPerId` more times (a half-open socket of ours may still
 * hold it), then the next id up, and so on.
 */
export function clientIdAfterConflicts(configured: number, conflicts: number, retriesPerId = 2): number {
  return configured + Math.floor(conflicts / (retriesPerId + 1));
}

/** Exponential backoff with full jitter: uniformly random in [0, min(cap, initial * 2^attempt)). */
export function reconnectDelayMs(attempt: number, initialMs: number, capMs: number, random: () => number = Math.random): number {
  return random() * Math.min(capMs, initialMs * 2 ** Math.min(attempt, 30));
}
