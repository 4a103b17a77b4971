import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeDiscordWebhook } from "@/lib/adapters/discord/fake-discord";
import { AlertNotifier, type OutgoingAlert } from "@/lib/adapters/discord/notifier";
import { DiscordWebhook } from "@/lib/adapters/discord/webhook";
import { freePort } from "@/test/net";
import { resetWindowAt } from "@/lib/adapters/ibkr/reset-windows";
import { AlertService, alertLevelsSchema, DEFAULT_ALERT_LEVELS, type AlertLevels } from "./alerts";

function recording(levels: Partial<AlertLevels> = {}, now?: () => number) {
  const posted: OutgoingAlert[] = [];
  const service = new AlertService({ sink: () => ({ post: (alert) => posted.push(alert) }), levels: () => ({ ...DEFAULT_ALERT_LEVELS, ...levels }), now, setupAssemblyMs: 20 });
  return { posted, service };
}

const intent = { symbol: "SPY", side: "BUY" as const, quantity: 10, referencePrice: 501.23, purpose: "entry" as const, reason: "ma-cross" };

describe("alert routing", () => {
  it("applies each kind's level: off sends nothing, silent sets the flag, on notifies", () => {
    const { posted, service } = recording({ fill: "on", denial: "silent", error: "off" });
    service.emit({ type: "fill", time: 0, fill: { orderId: 1, execId: "e1", symbol: "SPY", side: "BUY", quantity: 10, price: 501.2, commission: 1, time: 0 }, realizedPnl: -12.5 });
    service.emit({ type: "denial", time: 0, intent, reason: "max position 100 shares" });
    service.emit({ type: "error", time: 0, message: "boom" });
    expect(posted.map(({ kind, silent, text }) => ({ kind, silent, text }))).toEqual([
      { kind: "fill", silent: false, text: "💰 **Bought 10 SPY** @ 501.20 · realized −12.50" },
      { kind: "denial", silent: true, text: "⛔ Risk denied SPY: max position 100 shares" },
    ]);
  });

  it("sends nothing while no webhook is configured", () => {
    const service = new AlertService({ sink: () => null, levels: () => DEFAULT_ALERT_LEVELS });
    expect(() => service.dailySummary("**Kestrel daily report**")).not.toThrow();
  });

  it("renders a setup with bars as a PNG chart referenced by its embed", () => {
    const { posted, service } = recording();
    const bars = Array.from({ length: 30 }, (_, index) => ({ time: index, open: 100 + index * 0.1, high: 101 + index * 0.1, low: 99 + index * 0.1, close: 100.5 + index * 0.1, volume: 1 }));
    service.setup({ strategy: "golden-cross", symbol: "BRK.B", side: "BUY", entry: 103.05, target: 108, stop: 101.5, bars });
    expect(posted).toHaveLength(1);
    expect(posted[0].text).toBe("📈 **BUY setup BRK.B** (golden-cross): entry 103.05 · target 108.00 · stop 101.50");
    expect(posted[0].file).toMatchObject({ name: "BRK_B-setup.png", contentType: "image/png" });
    expect(posted[0].file!.data.subarray(1, 4).toString()).toBe("PNG");
    expect(posted[0].embed?.image?.url).toBe("attachment://BRK_B-setup.png");
  });

  it("assembles an entry decision and its bracket orders into one setup with entry, target and stop", async () => {
    const { posted, service } = recording();
    service.emit({ type: "decision", time: 0, symbol: "SPY", intent });
    service.emit({ type: "order", time: 0, order: { id: 1, symbol: "SPY", side: "BUY", quantity: 10, timeInForce: "DAY", type: "LMT", limitPrice: 501.2 } });
    service.emit({ type: "order", time: 0, order: { id: 2, symbol: "SPY", side: "SELL", quantity: 10, timeInForce: "GTC", parentId: 1, type: "LMT", limitPrice: 510.5, tag: "take-profit" } });
    service.emit({ type: "order", time: 0, order: { id: 3, symbol: "SPY", side: "SELL", quantity: 10, timeInForce: "GTC", parentId: 1, type: "STP", stopPrice: 497.35, tag: "stop-loss" } });
    service.emit({ type: "order", time: 0, order: { id: 4, symbol: "AAPL", side: "BUY", quantity: 5, timeInForce: "DAY", type: "LMT", limitPrice: 1 } });
    expect(posted).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(posted.map((alert) => alert.text)).toEqual(["📈 **BUY setup SPY** (ma-cross): entry 501.20 · target 510.50 · stop 497.35"]);
  });

  it("announces a fill once when it arrives both as a domain event and on the account", () => {
    const { posted, service } = recording();
    service.emit({ type: "fill", time: 0, fill: { orderId: 1, execId: "x1", symbol: "SPY", side: "SELL", quantity: 10, price: 502, commission: 1, time: 0 }, realizedPnl: 8 });
    service.fill({ execId: "x1", orderId: 1, symbol: "SPY", side: "SELL", shares: 10, price: 502, executedAt: "", commission: 1, realizedPnl: 8 });
    expect(posted.map((alert) => alert.text)).toEqual(["💰 **Sold 10 SPY** @ 502.00 · realized +8.00"]);
  });

  it("announces flatten results", () => {
    const { posted, service } = recording();
    service.flattenResult(
      { id: "f", status: "flat", startedAt: "", finishedAt: "", ordersCancelled: 2, closingOrders: [{ orderId: 9, symbol: "SPY", side: "SELL", quantity: 10 }], remaining: [], message: "done." },
      "discord:123456789012345678",
    );
    expect(posted.map((alert) => alert.text)).toEqual([
      "✅ Flatten by discord:123456789012345678: **flat** · 2 orders cancelled · closed SELL 10 SPY. done.",
    ]);
  });

  it("validates stored levels, filling in defaults and naming a bad one", () => {
    expect(alertLevelsSchema.parse({ fill: "off" })).toEqual({ ...DEFAULT_ALERT_LEVELS, fill: "off" });
    expect(() => alertLevelsSchema.parse({ fill: "loud" })).toThrow(/level of \\"fill\\" must be off, on or silent/);
  });
});

describe("connection alerts", () => {
  // Wednesday 2026-11-18, 23:50 New York (EST, UTC-5) = 04:50 UTC on the 19th.
  const inResetWindow = Date.UTC(2026, 10, 19, 4, 50);
  const minute = 60_000;

  it("knows IB's reset windows", () => {
    expect(resetWindowAt(inResetWindow)?.name).toMatch(/North America/);
    expect(resetWindowAt(Date.UTC(2026, 10, 19, 5, 40))?.name).toMatch(/North America/);
    expect(resetWindowAt(Date.UTC(2026, 10, 19, 15, 0))).toBeNull();
  });

  it("says 2FA is needed once when the gateway stays down past its restart window, then reports recovery", () => {
    let now = inResetWindow - minute;
    const { posted, service } = recording({}, () => now);
    service.connectionState("connected");
    now = inResetWindow;
    service.connectionState("disconnected");
    expect(posted.at(-1)?.text).toMatch(/reset window \(North America reset, until 05:45 UTC\)/);
    now = Date.UTC(2026, 10, 19, 5, 30);
    service.checkConnection();
    now = Date.UTC(2026, 10, 19, 5, 50);
    service.checkConnection();
    expect(posted).toHaveLength(1);
    now = Date.UTC(2026, 10, 19, 6, 1);
    service.checkConnection();
    service.checkConnection();
    expect(posted.filter((alert) => alert.text.includes("2FA needed"))).toHaveLength(1);
    now = Date.UTC(2026, 10, 19, 6, 20);
    service.connectionState("connected");
    expect(posted.at(-1)?.text).toBe("🔌 Gateway connected again after 90 min.");
  });

  it("does not ask for 2FA after an ordinary weekday outage", () => {
    let now = Date.UTC(2026, 10, 18, 15, 0);
    const { posted, service } = recording({}, () => now);
    service.connectionState("connected");
    service.connectionState("disconnected");
    now += 60 * minute;
    service.checkConnection();
    expect(posted.map((alert) => alert.text)).toEqual(["🔌 Gateway disconnected; reconnecting."]);
  });

  it("maps 1100/1101/1102 notices and ignores farm chatter", () => {
    const { posted, service } = recording();
    service.notice({ code: 1100, kind: "connectivity-lost", message: "" });
    service.notice({ code: 2104, kind: "farm-ok", message: "" });
    service.notice({ code: 1101, kind: "restored-data-lost", message: "" });
    service.notice({ code: 1102, kind: "restored-data-kept", message: "" });
    expect(posted.map((alert) => alert.text.match(/\((\d{4})\)/)?.[1])).toEqual(["1100", "1101", "1102"]);
  });
});

interface LoopTiming {
  p95: number;
  max: number;
  /** 95th percentile of the time `work` took in a tick. */
  tickWorkP95: number;
}

/** A 10 ms interval standing in for the trading loop: how late each tick fires, and how long `work` takes. */
function measureLoop(work: (tick: number) => void, ticks = 300): Promise<LoopTiming> {
  return new Promise((resolve) => {
    const drifts: number[] = [];
    const workTimes: number[] = [];
    let tick = 0;
    let expected = performance.now() + 10;
    const loop = setInterval(() => {
      const now = performance.now();
      drifts.push(now - expected);
      expected = now + 10;
      work(tick);
      workTimes.push(performance.now() - now);
      if (++tick < ticks) return;
      clearInterval(loop);
      drifts.sort((a, b) => a - b);
      workTimes.sort((a, b) => a - b);
      resolve({ p95: drifts[Math.floor(drifts.length * 0.95)], max: drifts.at(-1)!, tickWorkP95: workTimes[Math.floor(workTimes.length * 0.95)] });
    }, 10);
  });
}

const describeTiming = (timing: LoopTiming) => `drift p95 ${timing.p95.toFixed(2)} ms, max ${timing.max.toFixed(2)} ms, tick work p95 ${timing.tickWorkP95.toFixed(3)} ms`;

describe("the trading loop keeps its timing while the webhook is down", () => {
  let blackHole: FakeDiscordWebhook;
  let refusing: string;
  beforeAll(async () => {
    blackHole = await FakeDiscordWebhook.start();
    blackHole.blackHole = true;
    refusing = `http://127.0.0.1:${await freePort()}/api/webhooks/1/token`;
    // Loads fetch's HTTP stack once, so its first-use cost is not charged to either run.
    await fetch(refusing).catch(() => undefined);
  });
  afterAll(async () => {
    await blackHole.stop();
  });

  it.each([
    ["black-holed (never answers)", () => blackHole.url],
    ["refusing connections", () => refusing],
  ])("webhook %s: 10 alerts per tick leave a 10 ms loop timer as punctual as with no alerts", async (label, url) => {
    const baseline = await measureLoop(() => undefined);
    const webhook = new DiscordWebhook({ url: url(), timeoutMs: 1_000, backoffMs: 100, maxAttempts: 3 });
    const notifier = new AlertNotifier({ send: (message) => webhook.send(message), windowMs: 100, maxQueued: 200 });
    const alerts = new AlertService({ sink: () => notifier, levels: () => DEFAULT_ALERT_LEVELS });
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const loaded = await measureLoop((tick) => {
      for (let burst = 0; burst < 10; burst++) alerts.emit({ type: "denial", time: 0, intent, reason: `limit ${tick}.${burst}` });
    });
    delay.disable();
    notifier.stop();
    const stats = notifier.snapshot();
    console.log(`webhook ${label}: idle ${describeTiming(baseline)}; with alerts ${describeTiming(loaded)}; event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(2)} ms; dropped ${stats.dropped}`);
    // Margins allow for a shared, loaded machine; a send that blocked would cost the 1 s timeout per tick.
    expect(loaded.p95).toBeLessThan(baseline.p95 + 25);
    expect(loaded.tickWorkP95).toBeLessThan(5);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(stats.sentMessages).toBe(0);
  }, 30_000);
});
