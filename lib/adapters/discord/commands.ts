import { randomBytes } from "node:crypto";
import type { Actor, TradingControls } from "@/lib/services/controls";
import type { DashboardSnapshot } from "@/lib/services/account-view";
import type { AuditEvent } from "@/lib/services/audit";
import type { FlattenResult } from "@/lib/services/flatten";
import type { OthersPolicy } from "./settings";

/** Discord's "only you can see this" message flag. */
export const EPHEMERAL = 1 << 6;
export const CONFIRM_WINDOW_MS = 30_000;

/** The raw button row Discord's API takes (discord.js accepts it as is). */
export interface ButtonRow {
  type: 1;
  components: { type: 2; style: 1 | 2 | 4; label: string; custom_id: string }[];
}

export interface ReplyPayload {
  content: string;
  components?: ButtonRow[];
  flags?: number;
}

/** The part of discord.js's ChatInputCommandInteraction the handlers use. */
export interface CommandInteractionLike {
  readonly commandName: string;
  readonly user: { readonly id: string };
  readonly options: { getString(name: string): string | null };
  reply(payload: ReplyPayload): Promise<unknown>;
  deferReply(options?: { flags?: number }): Promise<unknown>;
  editReply(payload: ReplyPayload): Promise<unknown>;
}

/** The part of discord.js's ButtonInteraction the handlers use. */
export interface ButtonInteractionLike {
  readonly customId: string;
  readonly user: { readonly id: string };
  reply(payload: ReplyPayload): Promise<unknown>;
  update(payload: ReplyPayload): Promise<unknown>;
  editReply(payload: ReplyPayload): Promise<unknown>;
}

export interface CommandAccess {
  allowedUserIds: readonly string[];
  othersPolicy: OthersPolicy;
}

export interface CommandDeps {
  /** The same controls the dashboard uses; null when the process has none to offer. */
  controls: () => TradingControls | null;
  account: () => DashboardSnapshot;
  access: () => CommandAccess;
  audit: (event: AuditEvent) => Promise<void>;
  /** Told about every flatten run from Discord (e.g. to alert and push to the dashboard). */
  onFlatten?: (result: FlattenResult, actor: Actor) => void;
  now?: () => number;
}

const READ_COMMANDS = new Set(["status", "positions", "orders", "pnl"]);
const WRITE_COMMANDS = new Set(["halt", "resume", "flatten"]);
const CONFIRM_PREFIX = "flatten-confirm:";
const CANCEL_PREFIX = "flatten-cancel:";

interface PendingFlatten {
  userId: string;
  expiresAt: number;
}

/**
 * Slash-command and button handlers. Reads answer allow-listed users and, per settings, others;
 * anything that changes trading needs an allow-listed user, goes through TradingControls with a
 * discord actor, and a full flatten needs a confirmation click within 30 s.
 */
export class DiscordCommands {
  private readonly pending = new Map<string, PendingFlatten>();
  private readonly now: () => number;

  constructor(private readonly deps: CommandDeps) {
    this.now = deps.now ?? Date.now;
  }

  async handleCommand(interaction: CommandInteractionLike): Promise<void> {
    const { commandName, user } = interaction;
    const allowed = this.deps.access().allowedUserIds.includes(user.id);
    if (WRITE_COMMANDS.has(commandName) && !allowed) {
      await this.refuse(user.id, commandName);
      return interaction.reply({ content: "You are not on Kestrel's allow-list for commands that change trading.", flags: EPHEMERAL }).then(noop);
    }
    if (READ_COMMANDS.has(commandName) && !allowed && this.deps.access().othersPolicy === "none") {
      return interaction.reply({ content: "Kestrel answers allow-listed users only.", flags: EPHEMERAL }).then(noop);
    }
    switch (commandName) {
      case "status":
        return interaction.reply({ content: this.status(), flags: EPHEMERAL }).then(noop);
      case "positions":
        return interaction.reply({ content: positionsText(this.deps.account()), flags: EPHEMERAL }).then(noop);
      case "orders":
        return interaction.reply({ content: ordersText(this.deps.account()), flags: EPHEMERAL }).then(noop);
      case "pnl":
        return interaction.reply({ content: pnlText(this.deps.account()), flags: EPHEMERAL }).then(noop);
      case "halt":
      case "resume":
        return this.changeMode(interaction, commandName);
      case "flatten":
        return this.flatten(interaction);
      default:
        return interaction.reply({ content: `Unknown command /${commandName}.`, flags: EPHEMERAL }).then(noop);
    }
  }

  async handleButton(interaction: ButtonInteractionLike): Promise<void> {
    const { customId, user } = interaction;
    const token = customId.startsWith(CONFIRM_PREFIX) ? customId.slice(CONFIRM_PREFIX.length) : customId.startsWith(CANCEL_PREFIX) ? customId.slice(CANCEL_PREFIX.length) : null;
    const pending = token === null ? undefined : this.pending.get(token);
    if (token === null || !pending) return interaction.reply({ content: "This button is no longer valid; run /flatten again.", flags: EPHEMERAL }).then(noop);
    if (pending.userId !== user.id) return interaction.reply({ content: "Only the user who asked for the flatten can confirm it.", flags: EPHEMERAL }).then(noop);
    this.pending.delete(token);
    if (customId.startsWith(CANCEL_PREFIX)) return interaction.update({ content: "Flatten cancelled.", components: [] }).then(noop);
    if (this.now() > pending.expiresAt) {
      await this.deps.audit({ actor: actorName(user.id), source: "discord", action: "flatten_all", result: "confirmation_expired" });
      return interaction.update({ content: "The confirmation expired (30 s); nothing was done. Run /flatten again.", components: [] }).then(noop);
    }
    if (!this.deps.access().allowedUserIds.includes(user.id)) {
      await this.refuse(user.id, "flatten");
      return interaction.update({ content: "You are no longer on the allow-list; nothing was done.", components: [] }).then(noop);
    }
    await interaction.update({ content: "⏳ Flattening: cancelling every order and closing every position…", components: [] });
    const result = await this.runFlatten(user.id, (controls, actor) => controls.flattenAll(actor));
    await interaction.editReply({ content: result, components: [] });
  }

  /** Forgets confirmations whose window has passed (the bot calls it now and then). */
  sweepExpired(): void {
    for (const [token, pending] of this.pending) if (this.now() > pending.expiresAt) this.pending.delete(token);
  }

  private status(): string {
    const snapshot = this.deps.account();
    const mode = this.deps.controls()?.status();
    const modeText = mode ? `Trading **${mode.mode}** since ${mode.since}${mode.reason ? ` (${mode.reason})` : ""}` : "Trading mode: not available";
    return [
      `Broker **${snapshot.connection}** · account ${snapshot.account.account || "—"}`,
      modeText,
      `${snapshot.positions.filter((row) => row.quantity !== 0).length} open positions · ${snapshot.orders.length} working orders · ${snapshot.fills.length} fills today`,
    ].join("\n");
  }

  private async changeMode(interaction: CommandInteractionLike, command: "halt" | "resume"): Promise<void> {
    const controls = this.deps.controls();
    if (!controls) return interaction.reply({ content: "Trading controls are not available in this process.", flags: EPHEMERAL }).then(noop);
    const actor = discordActor(interaction.user.id);
    await interaction.deferReply();
    try {
      const status = command === "halt" ? await controls.haltEntries(actor, "halted from Discord") : await controls.resume(actor);
      await interaction.editReply({ content: `Trading is now **${status.mode}** (by ${actor.user}).` });
    } catch (error) {
      await interaction.editReply({ content: `/${command} failed: ${messageOf(error)}` });
    }
  }

  private async flatten(interaction: CommandInteractionLike): Promise<void> {
    const symbol = interaction.options.getString("symbol")?.trim().toUpperCase() ?? "";
    if (symbol && !/^[A-Z0-9.]{1,12}$/.test(symbol)) {
      return interaction.reply({ content: `"${symbol}" is not a symbol (1-12 letters, digits or dots).`, flags: EPHEMERAL }).then(noop);
    }
    if (symbol) {
      await interaction.deferReply();
      const result = await this.runFlatten(interaction.user.id, (controls, actor) => controls.flattenSymbol(actor, symbol));
      return interaction.editReply({ content: result }).then(noop);
    }
    this.sweepExpired();
    const token = randomBytes(12).toString("base64url");
    this.pending.set(token, { userId: interaction.user.id, expiresAt: this.now() + CONFIRM_WINDOW_MS });
    await interaction.reply({
      content: "⚠️ Flatten **everything**: cancel every order and close every position at market? Confirm within 30 s.",
      components: [
        {
          type: 1,
          components: [
            { type: 2, style: 4, label: "Flatten everything", custom_id: `${CONFIRM_PREFIX}${token}` },
            { type: 2, style: 2, label: "Cancel", custom_id: `${CANCEL_PREFIX}${token}` },
          ],
        },
      ],
    });
  }

  private async runFlatten(userId: string, run: (controls: TradingControls, actor: Actor) => Promise<FlattenResult>): Promise<string> {
    const controls = this.deps.controls();
    if (!controls) return "Trading controls are not available in this process.";
    const actor = discordActor(userId);
    try {
      const result = await run(controls, actor);
      this.deps.onFlatten?.(result, actor);
      const closed = result.closingOrders.map((order) => `${order.side} ${order.quantity} ${order.symbol}`).join(", ") || "nothing to close";
      return `${result.status === "flat" ? "✅" : "⚠️"} Flatten **${result.status}**: ${result.ordersCancelled} orders cancelled; ${closed}. ${result.message}`;
    } catch (error) {
      return `Flatten failed: ${messageOf(error)}`;
    }
  }

  private refuse(userId: string, command: string): Promise<void> {
    return this.deps.audit({ actor: actorName(userId), source: "discord", action: `discord_${command}`, result: "denied_not_allow_listed" }).catch(noop);
  }
}

export function discordActor(userId: string): Actor {
  return { user: actorName(userId), source: "discord" };
}

const actorName = (userId: string) => `discord:${userId}`;
const noop = () => undefined;
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const fixed = (value: number | null) => (value === null ? "—" : value.toFixed(2));

function positionsText(snapshot: DashboardSnapshot): string {
  const open = snapshot.positions.filter((row) => row.quantity !== 0);
  if (open.length === 0) return "No open positions.";
  const lines = open.map((row) => `${row.symbol.padEnd(6)} ${String(row.quantity).padStart(7)} @ ${fixed(row.avgCost).padStart(9)}  last ${fixed(row.marketPrice).padStart(9)}  uPnL ${fixed(row.unrealizedPnl)}`);
  return codeBlock(`Open positions (${open.length})`, lines);
}

function ordersText(snapshot: DashboardSnapshot): string {
  if (snapshot.orders.length === 0) return "No working orders.";
  const lines = snapshot.orders.map((row) => `#${row.orderId} ${row.side} ${row.quantity} ${row.symbol} ${row.orderType}${row.limitPrice === null ? "" : ` ${fixed(row.limitPrice)}`} · ${row.status} · filled ${row.filled}`);
  return codeBlock(`Working orders (${snapshot.orders.length})`, lines);
}

function pnlText(snapshot: DashboardSnapshot): string {
  const realizedFromFills = snapshot.fills.reduce((sum, fill) => sum + (fill.realizedPnl ?? 0), 0);
  const commissions = snapshot.fills.reduce((sum, fill) => sum + (fill.commission ?? 0), 0);
  const { account } = snapshot;
  return [
    `**P&L today** (${account.currency})`,
    `Realized ${fixed(account.realizedPnl ?? realizedFromFills)} · unrealized ${fixed(account.unrealizedPnl)} · commissions ${commissions.toFixed(2)}`,
    `Net liquidation ${fixed(account.netLiquidation)} · ${snapshot.fills.length} fills today`,
  ].join("\n");
}

/** A fixed-width list, cut so the message stays under Discord's 2,000 characters. */
function codeBlock(title: string, lines: string[]): string {
  const kept: string[] = [];
  let length = title.length + 10;
  for (const line of lines) {
    if (length + line.length + 1 > 1_900) {
      kept.push(`…and ${lines.length - kept.length} more`);
      break;
    }
    kept.push(line);
    length += line.length + 1;
  }
  return `**${title}**\n\`\`\`\n${kept.join("\n")}\n\`\`\``;
}
