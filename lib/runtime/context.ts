import type { Logger } from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Env } from "./env";
import type { TradingControls } from "@/lib/services/controls";
import type { RiskService } from "@/lib/services/risk-service";
import type { Engine } from "./engine";
import type { AuthService } from "@/lib/auth/service";
import type { ReportsService } from "@/lib/services/reports";
import type { RealtimeFeed } from "@/lib/adapters/realtime/socket-server";
import type { DiscordIntegration } from "@/lib/adapters/discord/integration";
import type { StrategyDirectory } from "@/lib/services/strategy-directory";
import type { ResearchService } from "@/lib/services/research/service";
import type { AlertHistory } from "@/lib/services/alert-history";
import type { BacktestRuns } from "@/lib/services/backtest-runs";

/**
 * Everything a route handler may reach, owned by server.ts.
 *
 * Next.js bundles route handlers apart from server.ts, so a module-level variable would
 * exist twice; the context is therefore published once on a well-known global symbol.
 */
export interface AppContext {
  readonly env: Env;
  readonly log: Logger;
  readonly prisma: PrismaClient;
  readonly services: AppServices;
}

/** Use cases the web edge may call; filled in by the composition root. */
export interface AppServices {
  /** Halt, reduce, resume, flatten and cancel-all: one implementation, one audit trail. */
  readonly controls: TradingControls;
  /** Limits in use, refusals, guardian tier and the flat-by-time countdown. */
  readonly risk: RiskService;
  readonly engine: Engine;
  readonly realtime: RealtimeFeed;
  readonly auth: AuthService;
  readonly reports: ReportsService;
  readonly discord: DiscordIntegration;
  /** Live strategy instances: list, start, pause, re-parameterise. */
  readonly strategies: StrategyDirectory;
  /** Parameter sweeps: enqueue, progress, cancel, results (workers do the computing). */
  readonly research: ResearchService;
  /** Every alert raised, newest first, kept 90 days. */
  readonly alertHistory: AlertHistory;
  /** Backtests started from the dashboard, kept in Postgres. */
  readonly backtests: BacktestRuns;
}

const CONTEXT_KEY = Symbol.for("kestrel.app-context");
type ContextHolder = { [CONTEXT_KEY]?: AppContext };

export function publishAppContext(context: AppContext): void {
  (globalThis as ContextHolder)[CONTEXT_KEY] = context;
}

export function clearAppContext(): void {
  delete (globalThis as ContextHolder)[CONTEXT_KEY];
}

export function getAppContext(): AppContext {
  const context = (globalThis as ContextHolder)[CONTEXT_KEY];
  if (!context) throw new Error("Kestrel's engine is not running in this process (start it with `npm start`).");
  return context;
}
