/**
 * Playwright's web server: a fresh database with the specs' strategy instances, a simulated
 * gateway whose ledger tests can read, and the production Kestrel server pointed at both, all
 * on a clock inside a regular session (session-clock.ts). Everything is removed on SIGTERM.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import pino from "pino";
import { createScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { startEmbeddedPostgres } from "@/lib/adapters/db/embedded";
import { startGatewaySimulator } from "@/lib/sim";
import { acceleratedClock } from "@/lib/sim/model/clock";
import { E2E_RUNTIME_FILE, type E2eRuntime } from "./runtime";
import { seedDatabase } from "./seed";
import { CLOCK_OFFSET_ENV, sessionClockOffset } from "./session-clock";

const log = pino({ level: "warn" });

async function main(): Promise<void> {
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error(error));
  };

  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres({ dataDir: path.resolve(".data/e2e"), log });
    cleanups.push(() => embedded.stop());
    serverUrl = embedded.databaseUrl;
  }
  const database = await createScratchDatabase(serverUrl, "kestrel_e2e", { unique: true });
  cleanups.push(() => database.drop());
  await seedDatabase(database.url, log);
  const clockOffsetMs = sessionClockOffset(Date.now());

  // bench/ui.ts raises the tick rate; the specs keep the simulator's default.
  const tickIntervalMs = process.env.E2E_SIM_TICK_MS ? Number(process.env.E2E_SIM_TICK_MS) : undefined;
  const simulator = await startGatewaySimulator({ seed: 11, tickIntervalMs, clock: acceleratedClock(Date.now() + clockOffsetMs, 1) });
  cleanups.push(() => simulator.stop());
  const ledgerServer = createServer((_request, response) => {
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify(simulator.ledger()));
  });
  await new Promise<void>((resolve) => ledgerServer.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => ledgerServer.close(() => resolve())));
  const address = ledgerServer.address();
  if (!address || typeof address === "string") throw new Error("ledger server has no port");

  const runtime: E2eRuntime = { databaseUrl: database.url, ledgerUrl: `http://127.0.0.1:${address.port}/ledger`, clockOffsetMs };
  mkdirSync(path.dirname(E2E_RUNTIME_FILE), { recursive: true });
  writeFileSync(E2E_RUNTIME_FILE, JSON.stringify(runtime));

  const app = spawn(process.execPath, ["--import", "tsx", "--import", "./e2e/support/shifted-date.ts", "server.ts"], {
    stdio: "inherit",
    env: { ...process.env, DATABASE_URL: database.url, IB_HOST: simulator.host, IB_PORT: String(simulator.port), [CLOCK_OFFSET_ENV]: String(clockOffsetMs) },
  });
  writeFileSync(E2E_RUNTIME_FILE, JSON.stringify({ ...runtime, appPid: app.pid }));
  const appExited = new Promise<void>((resolve) => app.once("exit", () => resolve()));
  cleanups.push(async () => {
    if (app.exitCode === null) app.kill("SIGTERM");
    await appExited;
  });

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await cleanUp();
    process.exit(code);
  };
  process.on("SIGTERM", () => void stop(0));
  process.on("SIGINT", () => void stop(0));
  app.once("exit", (code) => void stop(code ?? 1));
}

main().catch((error: unknown) => {
  console.error("end-to-end harness failed to start:", error);
  process.exit(1);
});
