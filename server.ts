import { createServer, type Server } from "node:http";
import path from "node:path";
import next from "next";
import type { Logger } from "pino";
import { parseEnv, EnvError, type Env } from "@/lib/runtime/env";
import { createLogger, redactUrl } from "@/lib/runtime/logger";
import { startBusyPoll } from "@/lib/runtime/busy-poll";
import { Lifecycle } from "@/lib/runtime/lifecycle";
import { clearAppContext, publishAppContext } from "@/lib/runtime/context";
import { Engine } from "@/lib/runtime/engine";
import { startEmbeddedPostgres } from "@/lib/adapters/db/embedded";
import { applyMigrations } from "@/lib/adapters/db/migrate";
import { createDatabase } from "@/lib/adapters/db/client";
import { RealtimeFeed } from "@/lib/adapters/realtime/socket-server";
import { startGatewaySimulator, type GatewaySimulator } from "@/lib/sim";
import { createReportsService, simulatorLedgerSource } from "@/lib/services/reports";
import { gatewayExecutionsSource } from "@/lib/adapters/ibkr/executions-source";
import { exchangeCalendar } from "@/lib/core/calendar";
import { recordAudit, type AuditEvent } from "@/lib/services/audit";
import { createLiveStrategyRunner } from "@/lib/services/strategy-runner";
import { HistoricalQueue } from "@/lib/adapters/ibkr/historical-queue";
import { createRiskStack } from "@/lib/services/risk-service";
import { startDiscord } from "@/lib/adapters/discord/integration";
import { JobQueue } from "@/lib/adapters/jobs/queue";
import { createResearchService } from "@/lib/services/research/service";
import { currentCodeVersion } from "@/lib/services/research/code-version";
import { AlertHistory } from "@/lib/services/alert-history";
import { BacktestRuns } from "@/lib/services/backtest-runs";
import { loadBars } from "@/lib/adapters/db/bar-store";
// Not the lib/auth barrel: it also exports page helpers that need the Next.js request scope.
import { createAuthService } from "@/lib/auth/service";
import { assertSafeListenAddress, ensureOwner } from "@/lib/auth/owner";
import { authenticateSocketHandshake } from "@/lib/auth/http";
import { REMOTE_ADDRESS_HEADER } from "@/lib/runtime/request-meta";

/**
 * The composition root: env -> database -> migrations -> broker -> Next -> HTTP -> socket.io
 * -> engine. Everything started is stopped in reverse order on SIGINT/SIGTERM.
 */
async function main(): Promise<void> {
  const env = readEnvOrExit();
  const log = createLogger(env.LOG_LEVEL);
  const lifecycle = new Lifecycle(log);
  const shutdown = onceShutdown(lifecycle, log);
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  try {
    await start(env, log, lifecycle);
  } catch (error) {
    log.fatal({ err: error }, "start-up failed");
    console.error(`\nKestrel could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    await lifecycle.stopAll();
    process.exit(1);
  }
}

async function start(env: Env, log: Logger, lifecycle: Lifecycle): Promise<void> {
  const databaseUrl = await resolveDatabase(env, log, lifecycle);
  await applyMigrations({ databaseUrl, migrationsDir: path.resolve("prisma/migrations"), log });
  const database = await createDatabase({ databaseUrl, log });
  lifecycle.add("database", () => database.stop());

  const broker = await resolveBroker(env, log, lifecycle);

  const dev = process.argv.includes("--dev");
  const nextApp = next({ dev, hostname: env.HOST, port: env.PORT, dir: process.cwd() });
  await nextApp.prepare();
  lifecycle.add("next", () => nextApp.close());
  const handle = nextApp.getRequestHandler();
  const httpServer = createServer((request, response) => {
    request.headers[REMOTE_ADDRESS_HEADER] = request.socket.remoteAddress ?? "";
    void handle(request, response);
  });

  const auth = createAuthService({
    prisma: database.prisma,
    log: log.child({ component: "auth" }),
    secureCookies: env.KESTREL_SECURE_COOKIES,
    secretKey: env.KESTREL_SECRET_KEY,
  });
  await auth.totp.sealStoredSecrets();
  const owner = await ensureOwner({ auth, env, log, publicBaseUrl: `http://${displayHost(env.HOST)}:${env.PORT}` });
  assertSafeListenAddress(env.HOST, owner.ownerExists);

  const audit = (entry: AuditEvent) => recordAudit(database.prisma, entry).then(() => undefined);
  const engine = new Engine({
    ib: { host: broker.host, port: broker.port, clientId: env.IB_CLIENT_ID },
    prisma: database.prisma,
    log: log.child({ component: "engine" }),
    audit,
    watchlist: env.KESTREL_WATCHLIST,
    tradingTimeZone: env.KESTREL_TIME_ZONE,
    exchange: env.KESTREL_EXCHANGE,
    mode: env.TRADING_MODE,
    account: env.IB_ACCOUNT,
    dataDir: env.KESTREL_DATA_DIR,
  });
  const riskStack = createRiskStack({
    prisma: database.prisma,
    account: env.TRADING_MODE,
    exchange: env.KESTREL_EXCHANGE,
    view: engine.view,
    flatten: engine.flattenService,
    now: Date.now,
    audit,
    log: log.child({ component: "risk" }),
    marketData: (symbol) => engine.client.entitlementOf(symbol),
    onReconciled: (listener) => engine.onReconciled(listener),
  });
  await riskStack.start();
  lifecycle.add("risk guardian and flat-by-time", () => riskStack.stop());
  const alertHistory = new AlertHistory({ prisma: database.prisma, log: log.child({ component: "alert-history" }) });
  await alertHistory.start();
  lifecycle.add("alert history", () => alertHistory.stop());
  const realtime = new RealtimeFeed({
    httpServer,
    view: engine.view,
    log: log.child({ component: "realtime" }),
    authenticate: (headers) => authenticateSocketHandshake(headers),
    sessionEndsAt: (sessionId) => auth.sessions.endsAt(sessionId),
    alerts: alertHistory,
  });
  lifecycle.add("realtime", () => realtime.stop());
  const healthTimer = setInterval(() => realtime.publishHealth(engine.health()), 5_000).unref();
  lifecycle.add("health feed", () => clearInterval(healthTimer));
  const stopDroppingRevokedSessions = auth.onSessionRevoked((sessionId) => realtime.dropSession(sessionId));
  lifecycle.add("session revocation feed", () => stopDroppingRevokedSessions());

  const discord = await startDiscord({
    prisma: database.prisma,
    log: log.child({ component: "discord" }),
    environment: {
      webhookUrl: env.DISCORD_WEBHOOK_URL,
      botToken: env.DISCORD_BOT_TOKEN,
      allowedUserIds: env.DISCORD_ALLOWED_USER_IDS,
      secretKey: env.KESTREL_SECRET_KEY,
    },
    engine,
    controls: () => riskStack.controls,
    audit,
    onFlatten: (result) => realtime.publishFlatten(result),
    recordAlert: (alert) => alertHistory.record(alert),
  });
  lifecycle.add("discord", () => discord.stop());
  const stopRiskAlerts = discord.watchRisk(riskStack);
  lifecycle.add("risk alerts", () => stopRiskAlerts());
  const historicalQueue = new HistoricalQueue({ gateway: engine.client, prisma: database.prisma });
  engine.attachHistoricalQueueDepth(() => historicalQueue.depth);
  const strategies = createLiveStrategyRunner({
    mode: env.BROKER,
    historicalQueue,
    gateway: engine.client,
    prisma: database.prisma,
    risk: (instanceId) => riskStack.risk.gate(instanceId),
    availableFunds: () => {
      const { account } = engine.view.snapshot();
      return account.totalCash ?? account.netLiquidation ?? 0;
    },
    fundsKnown: firstReconcile(engine),
    entitlementOf: (symbol) => engine.entitlementOf(symbol),
    audit,
    events: discord.alerts,
    log: log.child({ component: "strategies" }),
  });
  await strategies.start();
  riskStack.flatByTime.attachStrategies(strategies);
  // Registered here, started below: stopping runs in reverse, so the strategies stop before the
  // engine and no last bar sends an order into a closed gateway.
  lifecycle.add("engine", () => engine.stop());
  lifecycle.add("strategies", () => strategies.stop());

  const reports = createReportsService({
    prisma: database.prisma,
    log: log.child({ component: "reports" }),
    exchange: env.KESTREL_EXCHANGE,
    notify: discord.notifyDailySummary,
    broker: broker.simulator
      ? simulatorLedgerSource(() => broker.simulator!.ledger(), exchangeCalendar(env.KESTREL_EXCHANGE))
      : gatewayExecutionsSource(engine.client, exchangeCalendar(env.KESTREL_EXCHANGE)),
  });
  reports.start();
  lifecycle.add("end-of-day reports", () => reports.stop());

  const jobQueue = await JobQueue.start({ connectionString: databaseUrl, onError: (error) => log.warn({ err: error }, "job queue error") });
  lifecycle.add("job queue", () => jobQueue.stop({ timeoutMs: 5_000 }));
  const research = createResearchService({ prisma: database.prisma, queue: jobQueue, log: log.child({ component: "research" }), codeVersion: currentCodeVersion() });
  const backtests = new BacktestRuns({ prisma: database.prisma, log: log.child({ component: "backtests" }), loadStoredBars: (seriesId) => loadBars(database.prisma, seriesId) });
  await backtests.recoverInterrupted();

  publishAppContext({ env, log, prisma: database.prisma, services: { engine, realtime, auth, reports, discord, controls: riskStack.controls, risk: riskStack.risk, research, strategies, alertHistory, backtests } });
  lifecycle.add("app context", () => clearAppContext());
  engine.start();
  if (env.KESTREL_BUSY_POLL) {
    lifecycle.add("busy poll", startBusyPoll());
    log.info("busy polling: the engine's thread stays on a CPU core for lower tick-to-order latency");
  }

  await listen(httpServer, env.PORT, env.HOST);
  lifecycle.add("http server", () => closeHttpServer(httpServer));
  log.info({ url: `http://${env.HOST}:${env.PORT}`, mode: env.TRADING_MODE, dev }, "Kestrel is running");
  console.log(`\n  Kestrel dashboard: http://${displayHost(env.HOST)}:${env.PORT}\n`);
}

async function resolveDatabase(env: Env, log: Logger, lifecycle: Lifecycle): Promise<string> {
  if (env.DATABASE_URL) {
    log.info({ database: redactUrl(env.DATABASE_URL) }, "using DATABASE_URL");
    return env.DATABASE_URL;
  }
  const embedded = await startEmbeddedPostgres({ dataDir: path.resolve(env.KESTREL_DATA_DIR), log });
  lifecycle.add("embedded postgres", () => embedded.stop());
  return embedded.databaseUrl;
}

interface BrokerAddress {
  host: string;
  port: number;
  /** Set when the broker is the built-in simulated gateway, whose ledger is the truth to reconcile with. */
  simulator?: GatewaySimulator;
}

async function resolveBroker(env: Env, log: Logger, lifecycle: Lifecycle): Promise<BrokerAddress> {
  if (env.IB_HOST) return { host: env.IB_HOST, port: env.IB_PORT };
  const simulator = await startGatewaySimulator({ seed: env.SIM_SEED });
  lifecycle.add("simulated gateway", () => simulator.stop());
  log.info({ port: simulator.port, account: simulator.account }, "IB_HOST is unset: trading against the built-in simulated gateway");
  return { host: simulator.host, port: simulator.port, simulator };
}

/** Resolves after the broker's first successful reconcile, which reads the account (and so the funds). */
function firstReconcile(engine: Engine): Promise<void> {
  return new Promise((resolve) => {
    const stop = engine.onReconciled((result) => {
      if (!result.ok) return;
      stop();
      resolve();
    });
  });
}

/** A wildcard listen address is reached through loopback from this machine. */
function displayHost(host: string): string {
  return host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
}

function readEnvOrExit(): Env {
  try {
    return parseEnv(process.env);
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(`\nKestrel could not start. ${error.message}\n`);
    process.exit(1);
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new Error(`port ${port} on ${host} is already in use (set PORT)`) : error),
    );
    server.listen(port, host, () => resolve());
  });
}

function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function onceShutdown(lifecycle: Lifecycle, log: Logger) {
  let started = false;
  return async (signal: string) => {
    if (started) return;
    started = true;
    log.info({ signal }, "shutting down");
    await lifecycle.stopAll();
    process.exit(0);
  };
}

void main();
