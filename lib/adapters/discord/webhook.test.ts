import { inflateSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeDiscordWebhook } from "./fake-discord";
import { DiscordWebhook, SUPPRESS_NOTIFICATIONS, WebhookError } from "./webhook";
import { AlertNotifier, type OutgoingAlert } from "./notifier";
import { renderSetupChart } from "./chart";

let fake: FakeDiscordWebhook;

beforeEach(async () => {
  fake = await FakeDiscordWebhook.start();
});
afterEach(async () => {
  await fake.stop();
});

describe("webhook client against a local fake Discord", () => {
  it("posts JSON content with mentions disabled and the silent flag when asked", async () => {
    await new DiscordWebhook({ url: fake.url }).send({ content: "hello @everyone", flags: SUPPRESS_NOTIFICATIONS });
    expect(fake.received).toHaveLength(1);
    expect(fake.received[0].contentType).toBe("application/json");
    expect(fake.received[0].payload).toEqual({ content: "hello @everyone", flags: 4096, allowed_mentions: { parse: [] } });
  });

  it("waits out a 429's retry_after, then delivers once", async () => {
    fake.script.push({ status: 429, body: { message: "You are being rate limited.", retry_after: 0.4, global: false } });
    const started = Date.now();
    await new DiscordWebhook({ url: fake.url }).send({ content: "after the limit" });
    expect(fake.received.map((post) => post.payload.content)).toEqual(["after the limit", "after the limit"]);
    expect(fake.received[1].at - fake.received[0].at).toBeGreaterThanOrEqual(390);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("retries a 500 with backoff and succeeds on the next attempt", async () => {
    fake.script.push({ status: 500, body: { message: "internal" } });
    await new DiscordWebhook({ url: fake.url, backoffMs: 150 }).send({ content: "eventually" });
    expect(fake.received).toHaveLength(2);
    expect(fake.received[1].at - fake.received[0].at).toBeGreaterThanOrEqual(140);
  });

  it("gives up after the attempts are spent, and never retries a 400", async () => {
    fake.script.push({ status: 502 }, { status: 502 }, { status: 502 });
    await expect(new DiscordWebhook({ url: fake.url, maxAttempts: 3, backoffMs: 10 }).send({ content: "x" })).rejects.toThrow(/answered 502/);
    expect(fake.received).toHaveLength(3);
    fake.script.push({ status: 400, body: { message: "Cannot send an empty message" } });
    const error = await new DiscordWebhook({ url: fake.url, backoffMs: 10 }).send({ content: "" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WebhookError);
    expect((error as WebhookError).status).toBe(400);
    expect(fake.received).toHaveLength(4);
  });

  it("holds the next send while X-RateLimit-Remaining is 0 until the bucket resets", async () => {
    fake.script.push({ status: 204, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset-after": "0.35" } });
    const webhook = new DiscordWebhook({ url: fake.url });
    await webhook.send({ content: "one" });
    await webhook.send({ content: "two" });
    expect(fake.received[1].at - fake.received[0].at).toBeGreaterThanOrEqual(330);
  });

  it("attaches a chart as a multipart PNG file referenced by the embed", async () => {
    const bars = Array.from({ length: 40 }, (_, index) => {
      const open = 100 + Math.sin(index / 4) * 3;
      return { open, close: open + (index % 3) - 1, high: open + 2, low: open - 2 };
    });
    const png = renderSetupChart({ bars, entry: 101.5, target: 106, stop: 98.25 });
    await new DiscordWebhook({ url: fake.url }).send({
      content: "setup",
      embeds: [{ title: "SPY BUY", image: { url: "attachment://SPY-setup.png" } }],
      files: [{ name: "SPY-setup.png", data: png, contentType: "image/png" }],
    });
    const [post] = fake.received;
    expect(post.contentType).toMatch(/^multipart\/form-data/);
    expect(post.payload.attachments).toEqual([{ id: 0, filename: "SPY-setup.png" }]);
    expect(post.files).toHaveLength(1);
    expect(post.files[0]).toMatchObject({ field: "files[0]", name: "SPY-setup.png", type: "image/png" });
    expect(decodePng(post.files[0].data)).toEqual({ width: 480, height: 240, colorful: true });
  });
});

describe("alert queue", () => {
  it("turns a storm of 200 alerts in 5 s into a few messages under Discord's limits, accounting for every alert", async () => {
    const webhook = new DiscordWebhook({ url: fake.url });
    const notifier = new AlertNotifier({ send: (message) => webhook.send(message), windowMs: 2_000 });
    const started = Date.now();
    for (let index = 0; index < 200; index++) {
      notifier.post({ kind: index % 4 === 0 ? "fill" : "denial", silent: false, text: `⛔ Risk denied SPY: max position reached (#${index})` });
      // Paced against the start, so a slow machine still spreads the storm over 5 s and no more.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + (index + 1) * 25 - Date.now())));
    }
    await notifier.flush();
    expect(fake.received.length).toBeGreaterThanOrEqual(2);
    expect(fake.received.length).toBeLessThanOrEqual(4);
    let accounted = 0;
    for (const post of fake.received) {
      const content = post.payload.content ?? "";
      expect(content.length).toBeLessThanOrEqual(2_000);
      const listed = content.split("\n").filter((line) => line.startsWith("⛔"));
      const more = /…and (\d+) more/.exec(content);
      accounted += listed.length + (more ? Number(more[1]) : 0);
    }
    expect(accounted).toBe(200);
    expect(notifier.snapshot()).toMatchObject({ dropped: 0, failedMessages: 0, sentMessages: fake.received.length });
  }, 20_000);

  it("keeps silent and loud alerts apart and sends charts as their own messages", async () => {
    const webhook = new DiscordWebhook({ url: fake.url });
    const notifier = new AlertNotifier({ send: (message) => webhook.send(message), windowMs: 50 });
    const chart: OutgoingAlert["file"] = { name: "a.png", data: renderSetupChart({ bars: [], entry: 10, target: 11, stop: 9 }), contentType: "image/png" };
    notifier.post({ kind: "denial", silent: true, text: "quiet" });
    notifier.post({ kind: "fill", silent: false, text: "loud" });
    notifier.post({ kind: "setup", silent: false, text: "setup", file: chart, embed: { image: { url: "attachment://a.png" } } });
    await notifier.flush();
    const summary = fake.received.map((post) => ({ content: post.payload.content, flags: post.payload.flags, files: post.files.length }));
    expect(summary).toEqual([
      { content: "setup", flags: undefined, files: 1 },
      { content: "loud", flags: undefined, files: 0 },
      { content: "quiet", flags: 4096, files: 0 },
    ]);
  });

  it("drops the oldest alerts past its bound and says how many on the next message", async () => {
    const webhook = new DiscordWebhook({ url: fake.url });
    const notifier = new AlertNotifier({ send: (message) => webhook.send(message), windowMs: 20, maxQueued: 5, maxLines: 50 });
    for (let index = 0; index < 8; index++) notifier.post({ kind: "fill", silent: false, text: `fill ${index}` });
    await notifier.flush();
    expect(notifier.snapshot().dropped).toBe(3);
    expect(fake.received[0].payload.content).toBe(["⚠️ 3 alerts dropped: the queue was full.", "fill 3", "fill 4", "fill 5", "fill 6", "fill 7"].join("\n"));
  });
});

/** Reads IHDR and inflates IDAT to prove the PNG is well formed. */
function decodePng(data: Buffer): { width: number; height: number; colorful: boolean } {
  expect([...data.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const width = data.readUInt32BE(16);
  const height = data.readUInt32BE(20);
  const idatStart = data.indexOf("IDAT");
  const idatLength = data.readUInt32BE(idatStart - 4);
  const raw = inflateSync(data.subarray(idatStart + 4, idatStart + 4 + idatLength));
  expect(raw.length).toBe((width * 3 + 1) * height);
  return { width, height, colorful: new Set(raw).size > 3 };
}
