import { beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_ALERT_LEVELS } from "@/lib/services/alerts";
import { scratchPrismaForSuite } from "@/test/db";
import { discordSettingsInput, DiscordSettingsStore, SecretStorageUnavailable } from "./settings";

const KEY = "k".repeat(16) + "0123456789abcdefXYZ";
const WEBHOOK = "https://discord.com/api/webhooks/1234567890/abcdefSECRETtoken";
const BOT_TOKEN = `MTA${"x".repeat(21)}.GhIjKl.${"y".repeat(38)}`;

describe("Discord settings (real Postgres)", () => {
  const scratch = scratchPrismaForSuite();

  beforeEach(async () => {
    await scratch.prisma.discordSettings.deleteMany();
  });

  it("stores the webhook URL and bot token encrypted, shows only whether they are set, and reads them back", async () => {
    const store = new DiscordSettingsStore(scratch.prisma, { allowedUserIds: [], secretKey: KEY });
    await store.load();
    const view = await store.update(
      discordSettingsInput.parse({ webhookUrl: WEBHOOK, botToken: BOT_TOKEN, levels: { fill: "silent" }, allowedUserIds: ["123456789012345678"], othersPolicy: "none" }),
      { user: "owner", ip: "127.0.0.1" },
    );
    expect(view).toEqual({
      webhook: { set: true, source: "settings" },
      botToken: { set: true, source: "settings" },
      levels: { ...DEFAULT_ALERT_LEVELS, fill: "silent" },
      allowedUserIds: ["123456789012345678"],
      environmentUserIds: [],
      othersPolicy: "none",
      canStoreSecrets: true,
    });
    expect(JSON.stringify(view)).not.toContain("SECRET");

    const row = await scratch.prisma.discordSettings.findUniqueOrThrow({ where: { id: "default" } });
    expect(row.webhookUrlCipher).toMatch(/^v1\./);
    expect(row.webhookUrlCipher).not.toContain("SECRET");
    expect(row.botTokenCipher).not.toContain(BOT_TOKEN.slice(0, 20));

    const reopened = new DiscordSettingsStore(scratch.prisma, { allowedUserIds: [], secretKey: KEY });
    expect(await reopened.load()).toMatchObject({ webhookUrl: WEBHOOK, botToken: BOT_TOKEN, othersPolicy: "none", allowedUserIds: ["123456789012345678"] });

    const audit = await scratch.prisma.auditLog.findFirstOrThrow({ where: { action: "discord_settings_update" } });
    expect(audit).toMatchObject({ actor: "owner", source: "web", ip: "127.0.0.1", result: "ok" });
    expect(JSON.stringify(audit.details)).not.toContain("SECRET");
    expect(audit.details).toMatchObject({ webhookUrl: "set", botToken: "set" });
  });

  it("keeps a secret when the field is left out, clears it on null, and cannot read it with another key", async () => {
    const store = new DiscordSettingsStore(scratch.prisma, { allowedUserIds: [], secretKey: KEY });
    await store.update(discordSettingsInput.parse({ webhookUrl: WEBHOOK }), { user: "owner" });
    await store.update(discordSettingsInput.parse({ levels: { setup: "off" } }), { user: "owner" });
    expect(store.current().webhookUrl).toBe(WEBHOOK);
    expect(store.current().levels.setup).toBe("off");

    const otherKey = new DiscordSettingsStore(scratch.prisma, { allowedUserIds: [], secretKey: "z".repeat(40) });
    expect((await otherKey.load()).webhookUrl).toBeNull();

    await store.update(discordSettingsInput.parse({ webhookUrl: null }), { user: "owner" });
    expect(store.view().webhook).toEqual({ set: false, source: null });
  });

  it("lets the environment win for secrets and adds its user ids to the allow-list", async () => {
    const store = new DiscordSettingsStore(scratch.prisma, { webhookUrl: "https://discord.com/api/webhooks/9/env", allowedUserIds: ["999999999999999999"], secretKey: KEY });
    await store.update(discordSettingsInput.parse({ webhookUrl: WEBHOOK, allowedUserIds: ["123456789012345678"] }), { user: "owner" });
    expect(store.current().webhookUrl).toBe("https://discord.com/api/webhooks/9/env");
    expect(store.current().allowedUserIds).toEqual(["999999999999999999", "123456789012345678"]);
    expect(store.view()).toMatchObject({ webhook: { set: true, source: "environment" }, environmentUserIds: ["999999999999999999"], allowedUserIds: ["123456789012345678"] });
  });

  it("refuses to store a secret without KESTREL_SECRET_KEY but still stores levels", async () => {
    const store = new DiscordSettingsStore(scratch.prisma, { allowedUserIds: [] });
    await expect(store.update(discordSettingsInput.parse({ webhookUrl: WEBHOOK }), { user: "owner" })).rejects.toBeInstanceOf(SecretStorageUnavailable);
    await store.update(discordSettingsInput.parse({ levels: { denial: "off" } }), { user: "owner" });
    expect(store.view()).toMatchObject({ canStoreSecrets: false, levels: { denial: "off" } });
  });

  it("names what is wrong in bad input", () => {
    const result = discordSettingsInput.safeParse({ webhookUrl: "not a url", allowedUserIds: ["bob"], levels: { fill: "loud" }, extra: 1 });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("\n");
    expect(messages).toMatch(/webhookUrl: webhookUrl must be an http\(s\) URL/);
    expect(messages).toMatch(/allowedUserIds.0: a Discord user id is 17 to 20 digits/);
    expect(messages).toMatch(/levels.fill: a level is off, on or silent/);
    expect(messages).toMatch(/extra/);
  });
});
