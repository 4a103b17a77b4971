import { Client, Events, GatewayIntentBits, type Interaction } from "discord.js";
import type { Logger } from "pino";
import type { DiscordCommands } from "./commands";

/** The slash commands Kestrel registers (Discord API JSON: type 1 = chat input, option type 3 = string). */
export const SLASH_COMMANDS = [
  { name: "status", description: "Broker connection, trading mode and counts", type: 1 },
  { name: "positions", description: "Open positions", type: 1 },
  { name: "orders", description: "Working orders", type: 1 },
  { name: "pnl", description: "Today's P&L", type: 1 },
  { name: "halt", description: "Stop opening new positions (allow-listed users)", type: 1 },
  { name: "resume", description: "Resume trading (allow-listed users)", type: 1 },
  {
    name: "flatten",
    description: "Close positions: one symbol at once, or everything after a confirmation",
    type: 1,
    options: [{ name: "symbol", description: "Only this symbol (e.g. AAPL)", type: 3, required: false }],
  },
] as const;

/**
 * The discord.js client: registers the slash commands and hands interactions to the handlers.
 * A handler error is logged and answered; it never crashes the process.
 */
export class DiscordBot {
  private readonly client = new Client({ intents: [GatewayIntentBits.Guilds] });
  private sweep: NodeJS.Timeout | null = null;

  constructor(
    private readonly commands: DiscordCommands,
    private readonly log: Logger,
  ) {}

  async start(token: string): Promise<void> {
    this.client.once(Events.ClientReady, (ready) => {
      void ready.application.commands
        .set([...SLASH_COMMANDS].map((command) => ({ ...command, options: "options" in command ? [...command.options] : undefined })))
        .then(() => this.log.info({ bot: ready.user.tag }, "Discord bot ready; slash commands registered"))
        .catch((error: unknown) => this.log.warn({ err: error }, "registering Discord slash commands failed"));
    });
    this.client.on(Events.InteractionCreate, (interaction) => void this.dispatch(interaction));
    this.client.on(Events.Error, (error) => this.log.warn({ err: error }, "Discord client error"));
    this.sweep = setInterval(() => this.commands.sweepExpired(), 60_000);
    this.sweep.unref();
    await this.client.login(token);
  }

  async stop(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    await this.client.destroy();
  }

  private async dispatch(interaction: Interaction): Promise<void> {
    try {
      if (interaction.isChatInputCommand()) await this.commands.handleCommand(interaction);
      else if (interaction.isButton()) await this.commands.handleButton(interaction);
    } catch (error) {
      this.log.warn({ err: error }, "a Discord command failed");
    }
  }
}
