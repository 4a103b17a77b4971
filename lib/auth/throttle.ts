import type { PrismaClient } from "@/lib/generated/prisma/client";

export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

/** 5 failed sign-ins within 15 minutes lock the IP address or account for 15 minutes. */
export const LOGIN_THROTTLE: ThrottlePolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

export const throttleKeys = (ip: string | null, username: string) => [
  `ip:${ip ?? "unknown"}`,
  `user:${username.toLowerCase()}`,
];

/**
 * Counts sign-in attempts per key in Postgres, so a restart never resets a lock-out.
 *
 * An attempt is counted before the password is checked and the count is cleared on success;
 * the counting update skips a locked row, so even parallel guesses cannot exceed the limit.
 */
export class LoginThrottle {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => number,
    private readonly policy: ThrottlePolicy = LOGIN_THROTTLE,
  ) {}

  /** Counts one attempt on every key; returns when the lock ends if any key is locked, else null. */
  async admit(keys: readonly string[]): Promise<Date | null> {
    const refused: string[] = [];
    for (const key of keys) {
      if (!(await this.countAttempt(key))) refused.push(key);
    }
    return refused.length === 0 ? null : this.lockedUntil(refused);
  }

  async clear(keys: readonly string[]): Promise<void> {
    await this.prisma.loginThrottle.deleteMany({ where: { key: { in: [...keys] } } });
  }

  private async countAttempt(key: string): Promise<boolean> {
    const now = new Date(this.now());
    const windowOpenedAfter = new Date(now.getTime() - this.policy.windowMs);
    const lockUntil = new Date(now.getTime() + this.policy.lockMs);
    const { maxFailures } = this.policy;
    const rows = await this.prisma.$queryRaw<{ failures: number }[]>`
      INSERT INTO login_throttle AS t (key, failures, window_starts_at, locked_until)
      VALUES (${key}, 1, ${now}, CASE WHEN 1 >= ${maxFailures} THEN ${lockUntil}::timestamptz END)
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.window_starts_at <= ${windowOpenedAfter} THEN 1 ELSE t.failures + 1 END,
        window_starts_at = CASE WHEN t.window_starts_at <= ${windowOpenedAfter} THEN ${now} ELSE t.window_starts_at END,
        locked_until = CASE
          WHEN (CASE WHEN t.window_starts_at <= ${windowOpenedAfter} THEN 1 ELSE t.failures + 1 END) >= ${maxFailures}
          THEN ${lockUntil}::timestamptz
          ELSE NULL
        END
      WHERE t.locked_until IS NULL OR t.locked_until <= ${now}
      RETURNING t.failures`;
    return rows.length === 1;
  }

  private async lockedUntil(keys: string[]): Promise<Date> {
    const rows = await this.prisma.loginThrottle.findMany({ where: { key: { in: keys } }, select: { lockedUntil: true } });
    const ends = rows.map((row) => row.lockedUntil?.getTime() ?? 0);
    return new Date(Math.max(this.now() + 1_000, ...ends));
  }
}
