import { z } from "zod";
import { isValidTimeZone } from "../time/zoned-time";

/** A wall-clock time of day, "HH:MM" on a 24-hour clock. */
export const LOCAL_TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;
export const localTime = z.string().regex(LOCAL_TIME_PATTERN, "a time must be HH:MM on a 24-hour clock, e.g. 15:55");
const percent = (name: string) => z.number({ error: `${name} must be a number (percent)` }).positive(`${name} must be above 0`);
const count = (name: string) => z.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).positive(`${name} must be above 0`);

export const tradingWindowSchema = z
  .object({
    start: localTime,
    end: localTime,
    timeZone: z.string().refine(isValidTimeZone, "timeZone must be an IANA zone such as America/New_York"),
  })
  .refine((window) => window.start < window.end, "the trading window must start before it ends");

/** Every limit the risk engine enforces; percentages are of account equity (1 = 1%). */
export const riskLimitsSchema = z.object({
  /** Loss if the stop is hit (|entry - stop| x quantity) as a percent of equity. */
  maxRiskPerTradePct: percent("maxRiskPerTradePct").default(1),
  /** Refuse entries that carry no stop (their risk cannot be measured). */
  requireStop: z.boolean().default(false),
  maxPositionShares: count("maxPositionShares").default(10_000),
  maxPositionNotional: z.number().positive("maxPositionNotional must be above 0").default(100_000),
  maxOpenPositions: count("maxOpenPositions").default(20),
  /** Sum of |position value| across symbols. */
  maxGrossExposurePct: percent("maxGrossExposurePct").default(200),
  /** |Sum of signed position values| across symbols. */
  maxNetExposurePct: percent("maxNetExposurePct").default(100),
  /** One symbol's |position value|. */
  maxConcentrationPct: percent("maxConcentrationPct").default(25),
  maxOrdersPerMinute: count("maxOrdersPerMinute").default(30),
  /** The same symbol, side, quantity and strategy within this many seconds is a duplicate. */
  duplicateWindowSeconds: count("duplicateWindowSeconds").default(10),
  /** A limit price further than this from the last trade is treated as a typo. */
  fatFingerPct: percent("fatFingerPct").default(5),
  /** Entries only inside this local window (and only while the exchange session is open). */
  tradingWindow: tradingWindowSchema.nullable().default(null),
  /** Entries need live (not delayed or missing) market data for their symbol. */
  requireLiveData: z.boolean().default(true),
});

export type RiskLimits = z.infer<typeof riskLimitsSchema>;
export type RiskLimitsInput = z.input<typeof riskLimitsSchema>;

/** Parses limits, throwing an error that names every bad field. */
export function parseRiskLimits(input: unknown): RiskLimits {
  const parsed = riskLimitsSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "limits"}: ${issue.message}`);
  throw new RangeError(`Invalid risk limits: ${problems.join("; ")}`);
}
