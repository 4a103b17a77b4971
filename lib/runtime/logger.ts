import pino, { type DestinationStream, type Logger } from "pino";

/** Paths whose values never reach a log line, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  "password",
  "*.password",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "databaseUrl",
  "*.databaseUrl",
  "DATABASE_URL",
  "*.DATABASE_URL",
  "cookie",
  "*.cookie",
  "headers.cookie",
  "headers.authorization",
  "*.headers.cookie",
  "*.headers.authorization",
  "sessionId",
  "*.sessionId",
  "DISCORD_BOT_TOKEN",
  "DISCORD_WEBHOOK_URL",
  "KESTREL_ADMIN_PASSWORD",
  "KESTREL_SESSION_SECRET",
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: "kestrel" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** A URL fit for a log line: the password, if any, is replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "redacted";
    return parsed.toString();
  } catch {
    return "(unparseable url)";
  }
}
