import { z } from "zod";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { recordAudit } from "@/lib/services/audit";
import { ALERT_KINDS, ALERT_LEVELS, alertLevelsSchema, DEFAULT_ALERT_LEVELS, type AlertLevels } from "./levels";
import { SecretBox } from "@/lib/adapters/secret-box";
import { parseWebhookUrl } from "./webhook";

export const OTHERS_POLICIES = ["read-only", "none"] as const;
export type OthersPolicy = (typeof OTHERS_POLICIES)[number];

/** What the Discord side runs with: secrets in clear, only in this process's memory. */
export interface DiscordConfig {
  webhookUrl: string | null;
  botToken: string | null;
  levels: AlertLevels;
  /** Users who may halt, resume and flatten: the settings' list plus DISCORD_ALLOWED_USER_IDS. */
  allowedUserIds: readonly string[];
  othersPolicy: OthersPolicy;
}

export type SecretSource = "environment" | "settings" | null;

/** What the dashboard may see: whether a secret is set and where from, never its value. */
export interface DiscordSettingsView {
  webhook: { set: boolean; source: SecretSource };
  botToken: { set: boolean; source: SecretSource };
  levels: AlertLevels;
  allowedUserIds: string[];
  environmentUserIds: string[];
  othersPolicy: OthersPolicy;
  /** False without KESTREL_SECRET_KEY: secrets can then only come from the environment. */
  canStoreSecrets: boolean;
}

export interface DiscordEnvironment {
  webhookUrl?: string;
  botToken?: string;
  allowedUserIds: readonly string[];
  secretKey?: string;
}

const discordUserId = z.string().regex(/^\d{17,20}$/, "a Discord user id is 17 to 20 digits (Developer Mode → Copy User ID)");
const botToken = z.string().trim().min(50, "a Discord bot token is at least 50 characters").max(200).regex(/^[\w.-]+$/, "a Discord bot token has only letters, digits, dots, dashes and underscores");

export const discordSettingsInput = z
  .object({
    /** null removes the stored secret; leaving the field out keeps it. */
    webhookUrl: z
      .string("webhookUrl must be a string or null")
      .trim()
      .transform((value, ctx) => {
        try {
          return parseWebhookUrl(value);
        } catch {
          ctx.addIssue({ code: "custom", message: "webhookUrl must be an http(s) URL (Discord: Channel → Integrations → Webhooks → Copy URL)" });
          return z.NEVER;
        }
      })
      .nullable()
      .optional(),
    botToken: botToken.nullable().optional(),
    levels: z.partialRecord(z.enum(ALERT_KINDS, "unknown alert kind"), z.enum(ALERT_LEVELS, "a level is off, on or silent")).optional(),
    allowedUserIds: z.array(discordUserId).max(50, "at most 50 allowed users").optional(),
    othersPolicy: z.enum(OTHERS_POLICIES, "othersPolicy is read-only or none").optional(),
  })
  .strict();
export type DiscordSettingsInput = z.infer<typeof discordSettingsInput>;

const ROW_ID = "default";

/** The Discord settings row, its decryption, and the merge with the environment. */
export class DiscordSettingsStore {
  private config: DiscordConfig;
  private stored = { webhook: false, botToken: false, allowedUserIds: [] as string[] };
  private readonly box: SecretBox | null;
  private readonly listeners = new Set<(config: DiscordConfig) => void>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly environment: DiscordEnvironment,
  ) {
    this.box = environment.secretKey ? new SecretBox(environment.secretKey) : null;
    this.config = this.merge(null, null, { levels: DEFAULT_ALERT_LEVELS, allowedUserIds: [], othersPolicy: "read-only" });
  }

  current(): DiscordConfig {
    return this.config;
  }

  onChange(listener: (config: DiscordConfig) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async load(): Promise<DiscordConfig> {
    const row = await this.prisma.discordSettings.findUnique({ where: { id: ROW_ID } });
    const webhook = row?.webhookUrlCipher ? this.open(row.webhookUrlCipher) : null;
    const token = row?.botTokenCipher ? this.open(row.botTokenCipher) : null;
    this.stored = { webhook: webhook !== null, botToken: token !== null, allowedUserIds: row?.allowedUserIds ?? [] };
    this.config = this.merge(webhook, token, {
      levels: alertLevelsSchema.parse(row?.levels ?? {}),
      allowedUserIds: row?.allowedUserIds ?? [],
      othersPolicy: z.enum(OTHERS_POLICIES).catch("read-only").parse(row?.othersPolicy),
    });
    for (const listener of this.listeners) listener(this.config);
    return this.config;
  }

  view(): DiscordSettingsView {
    const source = (fromEnv: boolean, fromRow: boolean): SecretSource => (fromEnv ? "environment" : fromRow ? "settings" : null);
    const webhook = source(Boolean(this.environment.webhookUrl), this.stored.webhook);
    const token = source(Boolean(this.environment.botToken), this.stored.botToken);
    return {
      webhook: { set: webhook !== null, source: webhook },
      botToken: { set: token !== null, source: token },
      levels: { ...this.config.levels },
      allowedUserIds: [...this.stored.allowedUserIds],
      environmentUserIds: [...this.environment.allowedUserIds],
      othersPolicy: this.config.othersPolicy,
      canStoreSecrets: this.box !== null,
    };
  }

  async update(input: DiscordSettingsInput, actor: { user: string; ip?: string | null }): Promise<DiscordSettingsView> {
    const secrets = {
      ...(input.webhookUrl === undefined ? {} : { webhookUrlCipher: input.webhookUrl === null ? null : this.seal(input.webhookUrl) }),
      ...(input.botToken === undefined ? {} : { botTokenCipher: input.botToken === null ? null : this.seal(input.botToken) }),
    };
    const levels = input.levels ? { ...this.config.levels, ...input.levels } : undefined;
    const data = { ...secrets, levels, allowedUserIds: input.allowedUserIds, othersPolicy: input.othersPolicy, updatedBy: actor.user };
    await this.prisma.discordSettings.upsert({ where: { id: ROW_ID }, create: { id: ROW_ID, ...data }, update: data });
    await recordAudit(this.prisma, {
      actor: actor.user,
      source: "web",
      ip: actor.ip ?? null,
      action: "discord_settings_update",
      result: "ok",
      details: { changed: Object.keys(input), webhookUrl: secretChange(input.webhookUrl), botToken: secretChange(input.botToken) },
    });
    await this.load();
    return this.view();
  }

  private merge(webhook: string | null, token: string | null, rest: Pick<DiscordConfig, "levels" | "allowedUserIds" | "othersPolicy">): DiscordConfig {
    return {
      ...rest,
      webhookUrl: this.environment.webhookUrl ?? webhook,
      botToken: this.environment.botToken ?? token,
      allowedUserIds: [...new Set([...this.environment.allowedUserIds, ...rest.allowedUserIds])],
    };
  }

  private seal(secret: string): string {
    if (!this.box) throw new SecretStorageUnavailable();
    return this.box.seal(secret);
  }

  private open(sealed: string): string | null {
    try {
      return this.box ? this.box.open(sealed) : null;
    } catch {
      return null;
    }
  }
}

export class SecretStorageUnavailable extends Error {
  constructor() {
    super("Secrets can only be stored when KESTREL_SECRET_KEY is set (32+ characters); otherwise set DISCORD_WEBHOOK_URL / DISCORD_BOT_TOKEN in the environment.");
    this.name = "SecretStorageUnavailable";
  }
}

function secretChange(value: string | null | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value === null ? "cleared" : "set";
}
