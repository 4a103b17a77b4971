import type { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { ConnectionNotice } from "@/lib/adapters/ibkr/notices";
import type { Quote } from "@/lib/adapters/ibkr/gateway-client";
import type { AccountView, FillRow } from "@/lib/services/account-view";
import type { AuditEvent } from "@/lib/services/audit";
import type { Actor, TradingControls } from "@/lib/services/controls";
import type { FlattenResult } from "@/lib/services/flatten";
import { AlertService } from "@/lib/services/alerts";
import type { AlertRecord } from "@/lib/services/alert-history-entry";
import type { GuardianEvents } from "@/lib/services/guardian";
import type { TradingStateEvents } from "@/lib/services/trading-state";
import type { FlatByTimeEvents } from "@/lib/services/flat-by-time";
import { AlertNotifier } from "./notifier";
import { DiscordWebhook } from "./webhook";
import { DiscordCommands } from "./commands";
import { DiscordBot } from "./bot";
import { RecentBars } from "./recent-bars";
import { DiscordSettingsStore, type DiscordConfig, type DiscordEnvironment } from "./settings";

export interface DiscordIntegrationOptions {
  prisma: PrismaClient;
  log: Logger;
  environment: DiscordEnvironment;
  engine: { readonly view: AccountView; onNotice(listener: (notice: ConnectionNotice) => void): () => void };
  controls: () => TradingControls | null;
  audit: (event: AuditEvent) => Promise<void>;
  onFlatten?: (result: FlattenResult, actor: Actor) => void;
  /** Every alert, whatever its Discord level: the dashboard's alert history. */
  recordAlert?: (alert: AlertRecord) => void;
}

/** The risk stack's emitters whose events become alerts. */
export interface RiskEventSources {
  guardian: Pick<EventEmitter<GuardianEvents>, "on" | "off">;
  state: Pick<EventEmitter<TradingStateEvents>, "on" | "off">;
  flatByTime: Pick<EventEmitter<FlatByTimeEvents>, "on" | "off">;
}

export type DiscordIntegration = Awaited<ReturnType<typeof startDiscord>>;

const CONNECTION_CHECK_MS = 60_000;
const SHUTDOWN_FLUSH_MS = 3_000;
/** Fills replayed by the broker after a (re)start are older than this and are not announced again. */
const FILL_REPLAY_SLACK_MS = 60_000;

/**
 * Wires the Discord side for server.ts: settings, the webhook queue, alerts fed from the
 * engine, and the bot when a token is configured. Settings changes re-point the webhook and
 * restart the bot without a process restart.
 */
export async function startDiscord(options: DiscordIntegrationOptions) {
  const { log } = options;
  const settings = new DiscordSettingsStore(options.prisma, options.environment);
  await settings.load().catch((error: unknown) => log.warn({ err: error }, "reading Discord settings failed; using the environment only"));

  let notifier: AlertNotifier | null = null;
  let webhookUrl: string | null = null;
  const recentBars = new RecentBars();
  const alerts = new AlertService({ sink: () => notifier, levels: () => settings.current().levels, recentBars: (symbol) => recentBars.bars(symbol), record: options.recordAlert });
  const commands = new DiscordCommands({
    controls: options.controls,
    account: () => options.engine.view.snapshot(),
    access: () => settings.current(),
    audit: options.audit,
    onFlatten: (result, actor) => {
      alerts.flattenResult(result, actor.user);
      options.onFlatten?.(result, actor);
    },
  });
  let bot: { token: string; instance: DiscordBot } | null = null;

  const applyWebhook = (config: DiscordConfig) => {
    if (config.webhookUrl === webhookUrl) return;
    notifier?.stop();
    webhookUrl = config.webhookUrl;
    notifier = webhookUrl ? createNotifier(webhookUrl, log) : null;
    log.info({ webhook: webhookUrl ? "configured" : "not configured" }, "Discord alerts");
  };
  const applyBot = async (config: DiscordConfig) => {
    if (config.botToken === (bot?.token ?? null)) return;
    await bot?.instance.stop().catch(() => undefined);
    bot = null;
    if (!config.botToken) return;
    const instance = new DiscordBot(commands, log.child({ adapter: "discord-bot" }));
    bot = { token: config.botToken, instance };
    await instance.start(config.botToken).catch((error: unknown) => log.warn({ err: error }, "the Discord bot could not log in"));
  };
  applyWebhook(settings.current());
  void applyBot(settings.current());
  const stopListening = settings.onChange((config) => {
    applyWebhook(config);
    void applyBot(config);
  });

  const detachEngine = watchEngine(options.engine, alerts, recentBars);
  const connectionCheck = setInterval(() => alerts.checkConnection(), CONNECTION_CHECK_MS);
  connectionCheck.unref();

  return {
    settings,
    alerts,
    commands,
    /** The reports service's end-of-day hook. */
    notifyDailySummary: async (message: string) => alerts.dailySummary(message),
    /** Guardian tiers, trading-mode changes and scheduled flattens become alerts; returns the detach. */
    watchRisk(sources: RiskEventSources): () => void {
      const onTier = (...[level, assessment]: GuardianEvents["tier"]) => alerts.guardianTier(level, assessment.reasons.join("; ") || "no reason given");
      const onMode = (...[status]: TradingStateEvents["change"]) => alerts.tradingMode(status);
      const onScheduled = (...[result]: FlatByTimeEvents["flattened"]) => alerts.flattenResult(result, "the flat-by-time schedule");
      sources.guardian.on("tier", onTier);
      sources.state.on("change", onMode);
      sources.flatByTime.on("flattened", onScheduled);
      return () => {
        sources.guardian.off("tier", onTier);
        sources.state.off("change", onMode);
        sources.flatByTime.off("flattened", onScheduled);
      };
    },
    /** Sends one message straight through the webhook, bypassing the queue, and throws what went wrong. */
    async sendTest(requestedBy: string): Promise<void> {
      const url = settings.current().webhookUrl;
      if (!url) throw new Error("No Discord webhook URL is set.");
      await new DiscordWebhook({ url, maxAttempts: 2 }).send({ content: `✅ Kestrel test alert, sent from the dashboard by ${requestedBy}.` });
    },
    notifierStats: () => (notifier as AlertNotifier | null)?.snapshot() ?? null,
    async stop(): Promise<void> {
      clearInterval(connectionCheck);
      stopListening();
      detachEngine();
      // Queued alerts get a short chance to go out; a webhook that hangs must not hold up shutdown.
      const flushed = (notifier as AlertNotifier | null)?.flush().catch(() => undefined);
      await Promise.race([flushed, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_FLUSH_MS).unref())]);
      (notifier as AlertNotifier | null)?.stop();
      await bot?.instance.stop().catch(() => undefined);
    },
  };
}

function createNotifier(url: string, log: Logger): AlertNotifier {
  const webhook = new DiscordWebhook({ url });
  return new AlertNotifier({ send: (message) => webhook.send(message), onError: (error) => log.warn({ err: error }, "a Discord alert could not be sent") });
}

function watchEngine(engine: DiscordIntegrationOptions["engine"], alerts: AlertService, recentBars: RecentBars): () => void {
  const announced = new Set(engine.view.snapshot().fills.map((fill) => fill.execId));
  const since = Date.now() - FILL_REPLAY_SLACK_MS;
  const onFills = (rows: FillRow[]) => {
    for (const row of rows) {
      if (announced.has(row.execId)) continue;
      announced.add(row.execId);
      if (Date.parse(row.executedAt) >= since) alerts.fill(row);
    }
  };
  const onConnection = (state: Parameters<AlertService["connectionState"]>[0]) => alerts.connectionState(state);
  const onQuote = (quote: Quote) => {
    if (quote.last !== null) recentBars.add(quote.symbol, quote.last, Date.now());
  };
  engine.view.on("fills", onFills);
  engine.view.on("connection", onConnection);
  engine.view.on("quote", onQuote);
  const stopNotices = engine.onNotice((notice) => alerts.notice(notice));
  return () => {
    engine.view.off("fills", onFills);
    engine.view.off("connection", onConnection);
    engine.view.off("quote", onQuote);
    stopNotices();
  };
}

