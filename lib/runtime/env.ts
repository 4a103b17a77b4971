import { z } from "zod";
import { isValidTimeZone } from "@/lib/core/time/zoned-time";
import { ACCOUNT_MODES, accountModeProblem } from "@/lib/adapters/ibkr/accounts";

const port = z.coerce.number().int().min(1).max(65_535);
const flag = z
  .enum(["true", "false", "1", "0"])
  .default("false")
  .transform((value) => value === "true" || value === "1");

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: port.default(3000),
  DATABASE_URL: z.string().url().optional(),
  IB_HOST: z.string().min(1).optional(),
  IB_PORT: port.default(4002),
  IB_CLIENT_ID: z.coerce.number().int().min(0).max(2_147_483_647).default(0),
  TRADING_MODE: z.enum(ACCOUNT_MODES).default("paper"),
  /** Where strategy orders go: ibkr (TWS / IB Gateway) or paper (the built-in simulated broker on live prices). */
  BROKER: z.enum(["ibkr", "paper"]).default("ibkr"),
  /** The account to trade; paper accounts start with DU. Checked against TRADING_MODE and the gateway's accounts. */
  IB_ACCOUNT: z
    .string()
    .regex(/^[A-Z]{1,3}\d{4,10}$/, "an IB account id looks like DU1234567 (paper) or U1234567 (live)")
    .optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SIM_SEED: z.coerce.number().int().default(7),
  KESTREL_DATA_DIR: z.string().min(1).default(".data"),
  KESTREL_WATCHLIST: z
    .string()
    .default("AAPL,MSFT,TSLA,SPY,NVDA")
    .transform((list) => list.split(",").map((symbol) => symbol.trim().toUpperCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[A-Z0-9.]{1,12}$/, "symbols are 1-12 letters, digits or dots"))),
  KESTREL_ADMIN_USER: z.string().min(1).max(64).optional(),
  KESTREL_ADMIN_PASSWORD: z.string().min(1).optional(),
  /** Set when Kestrel is served over HTTPS (behind a TLS proxy): session cookies get `Secure`. */
  KESTREL_SECURE_COOKIES: flag,
  /** The engine's thread polls instead of sleeping between reads: lower tick-to-order latency for one CPU core. */
  KESTREL_BUSY_POLL: flag,
  /** The exchange whose calendar defines a trading day for reports (MIC). */
  KESTREL_EXCHANGE: z.enum(["XNYS", "XNSE"]).default("XNYS"),
  KESTREL_TIME_ZONE: z.string().min(1).default("America/New_York").refine(isValidTimeZone, "not an IANA time zone (e.g. America/New_York)"),
  /** Encrypts secrets kept in the database (Discord webhook URL, bot token); 32+ characters. */
  KESTREL_SECRET_KEY: z.string().min(32, "must be at least 32 characters (e.g. openssl rand -base64 32)").optional(),
  DISCORD_WEBHOOK_URL: z.string().url("must be the Discord webhook URL (https://discord.com/api/webhooks/...)").optional(),
  DISCORD_BOT_TOKEN: z.string().min(50, "does not look like a Discord bot token").optional(),
  /** Discord user ids allowed to halt, resume and flatten, comma-separated. */
  DISCORD_ALLOWED_USER_IDS: z
    .string()
    .default("")
    .transform((list) => list.split(",").map((id) => id.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^\d{17,20}$/, "Discord user ids are 17-20 digits, comma-separated"))),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid environment:\n${issues.map((issue) => `  - ${issue}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** Parses the environment once at start-up; every problem names its variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const result = envSchema.safeParse(cleaned);
  if (result.success) {
    const problem = accountModeProblem(result.data.TRADING_MODE, result.data.IB_ACCOUNT ?? "");
    if (problem) throw new EnvError([`IB_ACCOUNT: ${problem}`]);
    return result.data;
  }
  throw new EnvError(result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`));
}
