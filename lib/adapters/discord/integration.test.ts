/**
 * The Discord wiring as server.ts composes it: settings over HTTP (admin only, secrets never
 * echoed), alerts fed from the account view, and the daily report's summary posted through the
 * webhook; against a real database and a local fake Discord.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as discordSettings from "@/app/api/settings/discord/route";
import * as discordTest from "@/app/api/settings/discord/test/route";
import * as login from "@/app/api/auth/login/route";
import { apiRequest, call, sessionFrom, startAuthHarness, type AuthHarness, type RequestOptions } from "@/lib/auth/test-harness";
import { getAppContext, publishAppContext, type AppServices } from "@/lib/runtime/context";
import { EventEmitter } from "node:events";
import { AccountView } from "@/lib/services/account-view";
import { TradingState } from "@/lib/services/trading-state";
import type { GuardianEvents } from "@/lib/services/guardian";
import type { FlatByTimeEvents } from "@/lib/services/flat-by-time";
import { createReportsService } from "@/lib/services/reports";
import { eventually } from "@/test/eventually";
import { FakeDiscordWebhook } from "./fake-discord";
import { startDiscord, type DiscordIntegration } from "./integration";

const OWNER_PASSWORD = "owner password for discord";
const SECRET_KEY = "a test key that is long enough for AES";

let h: AuthHarness;
let fake: FakeDiscordWebhook;
let discord: DiscordIntegration;
let session: string;
const view = new AccountView(() => true);

type Handler = Parameters<typeof call>[0];
async function send(handler: Handler, method: string, options: RequestOptions = {}) {
  const response = await call(handler, apiRequest(method, "/api/settings/discord", options));
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Record<string, unknown> & { error?: { code: string; message: string } } };
}

const contents = () => fake.received.map((post) => post.payload.content ?? "");

beforeAll(async () => {
  h = await startAuthHarness();
  fake = await FakeDiscordWebhook.start();
  await h.auth.createOwner("owner", OWNER_PASSWORD);
  const signedIn = await call(login.POST, apiRequest("POST", "/api/auth/login", { body: { username: "owner", password: OWNER_PASSWORD } }));
  session = sessionFrom(signedIn)!;
  discord = await startDiscord({
    prisma: h.prisma,
    log: h.log,
    environment: { allowedUserIds: [], secretKey: SECRET_KEY },
    engine: { view, onNotice: () => () => undefined },
    controls: () => null,
    audit: async () => undefined,
  });
  const context = getAppContext();
  publishAppContext({ ...context, services: { ...context.services, discord } as unknown as AppServices });
});

afterAll(async () => {
  await discord?.stop();
  await fake?.stop();
  await h?.stop();
});

describe("Discord settings over HTTP", () => {
  it("needs a signed-in owner", async () => {
    expect((await send(discordSettings.GET, "GET")).status).toBe(401);
    expect((await send(discordSettings.PUT, "PUT", { body: { webhookUrl: fake.url } })).status).toBe(401);
  });

  it("stores the webhook URL write-only, answers bad input with the field's name, and starts alerting at once", async () => {
    const before = await send(discordSettings.GET, "GET", { session });
    expect(before.body).toMatchObject({ webhook: { set: false, source: null }, canStoreSecrets: true });

    const bad = await send(discordSettings.PUT, "PUT", { session, body: { allowedUserIds: ["alice"] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/^allowedUserIds.0: a Discord user id is 17 to 20 digits/);

    const saved = await send(discordSettings.PUT, "PUT", { session, body: { webhookUrl: fake.url, levels: { connection: "silent" } } });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ webhook: { set: true, source: "settings" }, levels: { connection: "silent", fill: "on" } });
    expect(saved.text).not.toContain(fake.url);
    expect((await send(discordSettings.GET, "GET", { session })).text).not.toContain(fake.url);

    const test = await call(discordTest.POST, apiRequest("POST", "/api/settings/discord/test", { session }));
    expect(test.status).toBe(200);
    expect(contents()).toContain("✅ Kestrel test alert, sent from the dashboard by owner.");
  });

  it("alerts on a new fill and a lost connection from the account view, at each kind's level", async () => {
    view.setConnection("connected");
    view.applyExecution({
      execId: "0001.01",
      orderId: 7,
      clientId: 0,
      permId: null,
      account: "DU1",
      symbol: "MSFT",
      conId: null,
      currency: "USD",
      exchange: "SMART",
      side: "SELL",
      shares: 25,
      price: 412.3,
      cumQty: 25,
      avgPrice: 412.3,
      orderRef: null,
      executedAt: new Date(),
    });
    view.setConnection("disconnected");
    await eventually(() => contents().join("\n"), (text) => text.includes("MSFT") && text.includes("Gateway"), 8_000);
    const fill = fake.received.find((post) => post.payload.content?.includes("MSFT"));
    expect(fill?.payload.content).toContain("💰 **Sold 25 MSFT** @ 412.30");
    expect(fill?.payload.flags).toBeUndefined();
    const connection = fake.received.find((post) => post.payload.content?.includes("Gateway"));
    expect(connection?.payload.flags).toBe(4096);
  });

  it("alerts on trading-mode changes, guardian tiers and scheduled flattens from the risk stack", async () => {
    const state = new TradingState({ prisma: h.prisma, account: "paper", now: Date.now });
    const guardian = new EventEmitter<GuardianEvents>();
    const flatByTime = new EventEmitter<FlatByTimeEvents>();
    const detach = discord.watchRisk({ state, guardian, flatByTime });
    await state.tighten("HALTED", "discord:123456789012345678", "news spike");
    guardian.emit("tier", "reducing", {
      level: "reducing",
      reasons: ["daily loss 2100.00 is 2.10% of 100000.00 (reducing at 2%)"],
      dayPnl: -2_100,
      drawdown: 2_100,
      overExposed: false,
      exposure: { gross: 0, net: 0, largest: null },
    });
    flatByTime.emit("flattened", { id: "s", status: "flat", startedAt: "", finishedAt: "", ordersCancelled: 0, closingOrders: [], remaining: [], message: "All orders cancelled and every position closed." });
    await state.resume("owner");
    detach();
    const text = await eventually(() => contents().join("\n"), (all) => all.includes("Trading **ACTIVE**"), 8_000);
    expect(text).toContain("🚦 Trading **HALTED** by discord:123456789012345678: news spike");
    expect(text).toContain("🛡️ Guardian tier **reducing**: daily loss 2100.00 is 2.10% of 100000.00 (reducing at 2%)");
    expect(text).toContain("✅ Flatten by the flat-by-time schedule: **flat** · 0 orders cancelled · closed no positions.");
    expect(text).toContain("🚦 Trading **ACTIVE** by owner");
  });

  it("posts the end-of-day summary of the reports service through the webhook", async () => {
    const reports = createReportsService({ prisma: h.prisma, log: h.log, notify: discord.notifyDailySummary });
    await reports.closeDay("2026-11-20");
    const summary = await eventually(() => contents().find((content) => content.startsWith("**Kestrel daily report 2026-11-20**")), Boolean, 8_000);
    expect(summary).toContain("0 fills, 0 trades");
  });

  it("stops alerting when the webhook is removed", async () => {
    const removed = await send(discordSettings.PUT, "PUT", { session, body: { webhookUrl: null } });
    expect(removed.body).toMatchObject({ webhook: { set: false } });
    const before = fake.received.length;
    view.setConnection("connected");
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(fake.received.length).toBe(before);
    expect(discord.notifierStats()).toBeNull();
  });
});
