import type { Bar } from "@/lib/core/data/bars";
import type { DomainEvent, EventSink } from "@/lib/core/ports";
import type { OrderRequest } from "@/lib/core/model/order";
import { wallTimeAt } from "@/lib/core/time/zoned-time";
import type { ConnectionNotice } from "@/lib/adapters/ibkr/notices";
import type { ConnectionState } from "@/lib/adapters/ibkr/gateway-client";
import { resetWindowAt } from "@/lib/adapters/ibkr/reset-windows";
import type { OutgoingAlert } from "@/lib/adapters/discord/notifier";
import { renderSetupChart } from "@/lib/adapters/discord/chart";
import type { AlertLevels } from "@/lib/adapters/discord/levels";
import type { FillRow } from "./account-view";
import type { FlattenResult } from "./flatten";
import type { GuardianTier } from "./risk-overview";
import type { TradingStatus } from "./controls";
import type { AlertRecord } from "./alert-history-entry";

export { ALERT_KINDS, ALERT_LEVELS, DEFAULT_ALERT_LEVELS, alertLevelsSchema, type AlertKind, type AlertLevel, type AlertLevels } from "@/lib/adapters/discord/levels";

/** A strategy's signal with where it enters, takes profit and gives up. */
export interface TradeSetup {
  strategy: string;
  symbol: string;
  side: "BUY" | "SELL";
  entry: number;
  target: number | null;
  stop: number | null;
  /** Recent bars for the chart; without them the alert is text only. */
  bars?: readonly Bar[];
  note?: string;
}

export interface AlertServiceOptions {
  /** Where alerts go; null while no webhook is configured. */
  sink: () => { post(alert: OutgoingAlert): void } | null;
  levels: () => AlertLevels;
  now?: () => number;
  /** How long the gateway may stay down after a reset window before "2FA needed" is sent. */
  twoFactorGraceMs?: number;
  /** Recent bars of a symbol for setup charts; without them setups are text only. */
  recentBars?: (symbol: string) => readonly Bar[] | undefined;
  /** How long after an entry decision its bracket orders are collected into the setup. */
  setupAssemblyMs?: number;
  /** Every alert, whatever its Discord level and whether or not a webhook is set: the dashboard's history. */
  record?: (alert: AlertRecord) => void;
}

/** Fill ids remembered so a fill seen both as a domain event and on the account is announced once. */
const REMEMBERED_FILLS = 10_000;

const price = (value: number) => (Math.abs(value) >= 1 ? value.toFixed(2) : value.toFixed(4));
const money = (value: number) => `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(2)}`;

/**
 * Turns what happens in the trading process into Discord alerts at each kind's level. Every
 * entry point returns at once and swallows its own failures: alerts never reach the trading loop.
 */
export class AlertService implements EventSink {
  private readonly now: () => number;
  private connection: { state: ConnectionState; downSince: number | null; startedInWindow: boolean; outsideWindowSince: number | null; twoFactorSent: boolean } = {
    state: "disconnected",
    downSince: null,
    startedInWindow: false,
    outsideWindowSince: null,
    twoFactorSent: false,
  };

  private readonly announcedFills = new Set<string>();
  private readonly pendingSetups = new Map<string, { setup: TradeSetup; timer: NodeJS.Timeout }>();

  constructor(private readonly options: AlertServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  emit(event: DomainEvent): void {
    this.guard(() => {
      if (event.type === "denial") this.denial(event.intent.symbol, event.reason);
      else if (event.type === "fill" && this.firstSighting(event.fill.execId)) {
        const { fill } = event;
        this.publish({
          kind: "fill",
          level: "info",
          symbol: fill.symbol,
          text: `💰 **${fill.side === "BUY" ? "Bought" : "Sold"} ${fill.quantity} ${fill.symbol}** @ ${price(fill.price)} · realized ${money(event.realizedPnl)}`,
          details: { execId: fill.execId, side: fill.side, quantity: fill.quantity, price: fill.price, realizedPnl: event.realizedPnl },
        });
      } else if (event.type === "error") this.publish({ kind: "error", level: "warning", text: `❗ ${event.message}` });
      else if (event.type === "decision" && event.intent.purpose === "entry") this.beginSetup(event.symbol, event.intent);
      else if (event.type === "order") this.addToSetup(event.order);
    });
  }

  fill(row: FillRow): void {
    if (!this.firstSighting(row.execId)) return;
    const realized = row.realizedPnl === null ? "" : ` · realized ${money(row.realizedPnl)}`;
    const text = `💰 **${row.side === "BUY" ? "Bought" : "Sold"} ${row.shares} ${row.symbol}** @ ${price(row.price)}${realized}`;
    const details = { execId: row.execId, side: row.side, quantity: row.shares, price: row.price, realizedPnl: row.realizedPnl };
    this.guard(() => this.publish({ kind: "fill", level: "info", symbol: row.symbol, text, details }));
  }

  setup(setup: TradeSetup): void {
    this.guard(() => {
      const levels = [`entry ${price(setup.entry)}`, setup.target === null ? null : `target ${price(setup.target)}`, setup.stop === null ? null : `stop ${price(setup.stop)}`];
      const text = `📈 **${setup.side} setup ${setup.symbol}** (${setup.strategy}): ${levels.filter(Boolean).join(" · ")}${setup.note ? `\n${setup.note}` : ""}`;
      const alert: AlertRecord = { kind: "setup", level: "info", text, symbol: setup.symbol, strategy: setup.strategy, details: { side: setup.side, entry: setup.entry, target: setup.target, stop: setup.stop } };
      if (!setup.bars?.length) return this.publish(alert);
      const name = `${setup.symbol.replace(/[^A-Za-z0-9]/g, "_")}-setup.png`;
      const file = () => ({ name, data: renderSetupChart({ bars: setup.bars!, entry: setup.entry, target: setup.target, stop: setup.stop }), contentType: "image/png" });
      this.publish(alert, () => ({ file: file(), embed: { title: `${setup.symbol} ${setup.side}`, image: { url: `attachment://${name}` } } }));
    });
  }

  denial(symbol: string, reason: string): void {
    this.guard(() => this.publish({ kind: "denial", level: "warning", symbol, text: `⛔ Risk denied ${symbol}: ${reason}`, details: { reason } }));
  }

  guardianTier(tier: GuardianTier, detail: string): void {
    const level = tier === "halted" ? "critical" : tier === "normal" ? "info" : "warning";
    this.guard(() => this.publish({ kind: "guardian", level, text: `🛡️ Guardian tier **${tier}**: ${detail}`, details: { tier } }));
  }

  tradingMode(status: TradingStatus): void {
    const by = status.changedBy ? ` by ${status.changedBy}` : "";
    const level = status.mode === "HALTED" ? "critical" : status.mode === "REDUCING" ? "warning" : "info";
    const text = `🚦 Trading **${status.mode}**${by}${status.reason ? `: ${status.reason}` : ""}`;
    this.guard(() => this.publish({ kind: "halt", level, text, details: { mode: status.mode, changedBy: status.changedBy, reason: status.reason } }));
  }

  flattenResult(result: FlattenResult, actor: string): void {
    const closed = result.closingOrders.map((order) => `${order.side} ${order.quantity} ${order.symbol}`).join(", ") || "no positions";
    const icon = result.status === "flat" ? "✅" : "⚠️";
    const text = `${icon} Flatten by ${actor}: **${result.status}** · ${result.ordersCancelled} orders cancelled · closed ${closed}. ${result.message}`;
    const details = { actor, status: result.status, ordersCancelled: result.ordersCancelled, closingOrders: result.closingOrders.length };
    this.guard(() => this.publish({ kind: "flatten", level: result.status === "flat" ? "warning" : "critical", text, details }));
  }

  dailySummary(message: string): void {
    this.guard(() => this.publish({ kind: "daily-summary", level: "info", text: message }));
  }

  notice(notice: ConnectionNotice): void {
    const alerts: Partial<Record<ConnectionNotice["kind"], AlertRecord>> = {
      "connectivity-lost": { kind: "connection", level: "warning", text: "🔌 IB lost connectivity to its servers (1100)." },
      "restored-data-lost": { kind: "connection", level: "info", text: "🔌 IB connectivity restored; market data was lost and is being requested again (1101)." },
      "restored-data-kept": { kind: "connection", level: "info", text: "🔌 IB connectivity restored, data kept (1102)." },
    };
    const alert = alerts[notice.kind];
    if (alert) this.guard(() => this.publish(alert));
  }

  connectionState(state: ConnectionState): void {
    this.guard(() => {
      const previous = this.connection;
      if (state === previous.state || state === "connecting") return;
      const now = this.now();
      if (state === "disconnected") {
        const window = resetWindowAt(now);
        this.connection = { state, downSince: now, startedInWindow: window !== null, outsideWindowSince: null, twoFactorSent: false };
        const during = window && `${window.name}, until ${new Date(window.end).toISOString().slice(11, 16)} UTC`;
        this.publish({ kind: "connection", level: "warning", text: during ? `🔌 Gateway disconnected during IB's reset window (${during}).` : "🔌 Gateway disconnected; reconnecting." });
        return;
      }
      const downFor = previous.downSince === null ? null : Math.round((now - previous.downSince) / 60_000);
      this.connection = { state, downSince: null, startedInWindow: false, outsideWindowSince: null, twoFactorSent: false };
      if (downFor !== null) this.publish({ kind: "connection", level: "info", text: `🔌 Gateway connected again after ${downFor} min.` });
    });
  }

  /** Called periodically: a gateway still down well after its restart window usually waits for a 2FA login. */
  checkConnection(): void {
    this.guard(() => {
      const current = this.connection;
      if (current.state !== "disconnected" || current.downSince === null || current.twoFactorSent) return;
      const now = this.now();
      const sunday = wallTimeAt(current.downSince, "America/New_York");
      const weekly = new Date(Date.UTC(sunday.year, sunday.month - 1, sunday.day)).getUTCDay() === 0;
      if (!current.startedInWindow && !weekly) return;
      if (resetWindowAt(now) !== null) {
        current.outsideWindowSince = null;
        return;
      }
      current.outsideWindowSince ??= now;
      if (now - current.outsideWindowSince < (this.options.twoFactorGraceMs ?? 10 * 60_000)) return;
      current.twoFactorSent = true;
      const since = new Date(current.downSince).toISOString().slice(0, 16).replace("T", " ");
      this.publish({
        kind: "connection",
        level: "critical",
        text: `🔐 **2FA needed?** The gateway has been down since ${since} UTC and did not come back after its restart window. Log in to IB Gateway and approve the login.`,
      });
    });
  }

  /** An entry decision waits briefly for its bracket (entry limit, take-profit, stop) before it is announced. */
  private beginSetup(symbol: string, intent: Extract<DomainEvent, { type: "decision" }>["intent"]): void {
    this.flushSetup(symbol);
    const setup: TradeSetup = { strategy: intent.reason, symbol, side: intent.side, entry: intent.referencePrice, target: null, stop: null, bars: this.options.recentBars?.(symbol) };
    const timer = setTimeout(() => this.flushSetup(symbol), this.options.setupAssemblyMs ?? 250);
    timer.unref();
    this.pendingSetups.set(symbol, { setup, timer });
  }

  private addToSetup(order: OrderRequest): void {
    const pending = this.pendingSetups.get(order.symbol)?.setup;
    if (!pending) return;
    if (order.parentId === undefined && order.side === pending.side && "limitPrice" in order && order.limitPrice !== undefined) pending.entry = order.limitPrice;
    else if (order.tag === "take-profit" && "limitPrice" in order && order.limitPrice !== undefined) pending.target = order.limitPrice;
    else if (order.tag === "stop-loss" && "stopPrice" in order && order.stopPrice !== undefined) pending.stop = order.stopPrice;
  }

  private flushSetup(symbol: string): void {
    const pending = this.pendingSetups.get(symbol);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pendingSetups.delete(symbol);
    this.setup(pending.setup);
  }

  private firstSighting(execId: string): boolean {
    if (this.announcedFills.has(execId)) return false;
    this.announcedFills.add(execId);
    if (this.announcedFills.size > REMEMBERED_FILLS) this.announcedFills.delete(this.announcedFills.values().next().value!);
    return true;
  }

  /** Into the history first (always), then to Discord at the kind's level; `extras` (a chart) is only rendered for Discord. */
  private publish(alert: AlertRecord, extras: () => Pick<OutgoingAlert, "embed" | "file"> = () => ({})): void {
    this.guard(() => this.options.record?.(alert));
    const level = this.options.levels()[alert.kind];
    const sink = this.options.sink();
    if (level === "off" || !sink) return;
    sink.post({ kind: alert.kind, silent: level === "silent", text: alert.text, ...extras() });
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch {
      // Alerts are a side channel; a formatting or rendering failure must not reach the trading loop.
    }
  }
}
