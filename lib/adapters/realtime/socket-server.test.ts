import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { io as connect, type Socket } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "@/test/eventually";
import { AccountView } from "@/lib/services/account-view";
import { AlertHistory, type AlertHistoryEntry } from "@/lib/services/alert-history";
import { scratchPrismaForSuite } from "@/test/db";
import { SOCKET_PATH, type ClientToServerEvents, type DashboardDelta, type ServerToClientEvents } from "./events";
import { RealtimeFeed, type AlertSource, type RealtimeOptions } from "./socket-server";

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startFeed(
  options: { alerts?: AlertSource; sessionEndsAt?: RealtimeOptions["sessionEndsAt"] } = {},
): Promise<{ view: AccountView; url: string; feed: RealtimeFeed }> {
  const httpServer: HttpServer = createServer();
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const view = new AccountView(() => true);
  const feed = new RealtimeFeed({
    httpServer,
    view,
    log: pino({ level: "silent" }),
    authenticate: async () => ({ userId: "u1", username: "owner", role: "owner", sessionId: "s1", via: "session" }) as never,
    ...options,
  });
  cleanups.push(async () => {
    await feed.stop();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  });
  return { view, feed, url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}` };
}

function open(url: string): { client: Client; frames: { event: string; at: number; payload: unknown }[] } {
  const client: Client = connect(url, { path: SOCKET_PATH, transports: ["websocket"], reconnectionDelay: 50 });
  const frames: { event: string; at: number; payload: unknown }[] = [];
  client.on("snapshot", (payload) => frames.push({ event: "snapshot", at: Date.now(), payload }));
  client.on("delta", (payload) => frames.push({ event: "delta", at: Date.now(), payload }));
  cleanups.push(() => void client.disconnect());
  return { client, frames };
}

const db = scratchPrismaForSuite();

describe("RealtimeFeed", { timeout: 20_000 }, () => {
  it("sends a snapshot first, then at most one coalesced delta per 100 ms carrying the latest tick", async () => {
    const { view, url } = await startFeed();
    const { client, frames } = open(url);
    await eventually(() => frames.length, (count) => count >= 1);
    expect(frames[0].event).toBe("snapshot");

    const started = Date.now();
    let price = 100;
    while (Date.now() - started < 1500) {
      for (let i = 0; i < 50; i++) view.applyQuote({ symbol: "AAPL", bid: null, ask: null, last: (price += 0.01), volume: null });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const finalPrice = price;
    await eventually(
      () => frames.filter((frame) => frame.event === "delta").at(-1)?.payload as DashboardDelta | undefined,
      (delta) => delta?.quotes?.[0]?.last === finalPrice,
    );
    const deltas = frames.filter((frame) => frame.event === "delta");
    for (const delta of deltas) expect((delta.payload as DashboardDelta).quotes).toHaveLength(1);
    // Thousands of ticks went in; at most a delta per 100 ms (plus the final flush) came out.
    expect(deltas.length).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 100) + 1);
    client.disconnect();
  });

  it("gives a reconnecting browser a fresh snapshot before any delta", async () => {
    const { view, url } = await startFeed();
    const { client, frames } = open(url);
    await eventually(() => frames.length, (count) => count >= 1);
    client.disconnect();
    view.applyPosition({ account: "DU1", symbol: "MSFT", conId: null, currency: "USD", quantity: 7, avgCost: 300 });
    frames.length = 0;
    client.connect();
    await eventually(() => frames.length, (count) => count >= 1);
    expect(frames[0].event).toBe("snapshot");
    expect((frames[0].payload as { positions: { symbol: string; quantity: number }[] }).positions).toEqual([
      expect.objectContaining({ symbol: "MSFT", quantity: 7 }),
    ]);
  });

  it("sends the newest alerts with every snapshot and pushes each new alert at once, none coalesced away", async () => {
    const history = new AlertHistory({ prisma: db.prisma, log: pino({ level: "silent" }), recentLimit: 3 });
    await history.start();
    cleanups.push(() => history.stop());
    for (let i = 1; i <= 4; i++) history.record({ kind: "error", level: "warning", text: `before ${i}` });
    const { view, url } = await startFeed({ alerts: history });
    const { client, frames } = open(url);
    const snapshots: AlertHistoryEntry[][] = [];
    const pushed: AlertHistoryEntry[] = [];
    client.on("alerts", (alerts) => snapshots.push(alerts));
    client.on("alert", (alert) => pushed.push(alert));
    await eventually(() => snapshots.length, (count) => count === 1);
    expect(frames[0].event).toBe("snapshot");
    expect(snapshots[0].map((alert) => alert.text)).toEqual(["before 4", "before 3", "before 2"]);

    // A burst inside one delta interval, with quotes that are coalesced meanwhile.
    for (let i = 1; i <= 25; i++) {
      history.record({ kind: "fill", level: "info", text: `burst ${i}`, symbol: "AAPL" });
      view.applyQuote({ symbol: "AAPL", bid: null, ask: null, last: 100 + i, volume: null });
    }
    await eventually(() => pushed.length, (count) => count === 25);
    expect(pushed.map((alert) => alert.text)).toEqual(Array.from({ length: 25 }, (_, i) => `burst ${i + 1}`));

    client.emit("resync");
    await eventually(() => snapshots.length, (count) => count === 2);
    expect(snapshots[1].map((alert) => alert.text)).toEqual(["burst 25", "burst 24", "burst 23"]);
  });

  it("closes a socket when its session ends, reading the end again when it comes (a request may have renewed it)", async () => {
    let endsAt = Date.now() + 300;
    const reads: string[] = [];
    const { url } = await startFeed({
      sessionEndsAt: async (sessionId) => {
        reads.push(sessionId);
        return endsAt;
      },
    });
    const { client } = open(url);
    const ended: number[] = [];
    client.on("sessionEnded", () => ended.push(Date.now()));
    await eventually(() => client.connected, (connected) => connected);
    endsAt += 400;
    await eventually(() => ended.length, (count) => count === 1, 5_000);
    expect(ended[0]).toBeGreaterThanOrEqual(endsAt);
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads.every((sessionId) => sessionId === "s1")).toBe(true);
    await eventually(() => client.connected, (connected) => !connected);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.connected).toBe(false);
  });

  it("closes a socket at once when its session is already gone, and keeps one whose end cannot be read", async () => {
    const gone = await startFeed({ sessionEndsAt: async () => null });
    const first = open(gone.url);
    const ended: string[] = [];
    first.client.on("sessionEnded", () => ended.push("gone"));
    await eventually(() => ended.length, (count) => count === 1);

    const unreadable = await startFeed({ sessionEndsAt: () => Promise.reject(new Error("database unavailable")) });
    const second = open(unreadable.url);
    second.client.on("sessionEnded", () => ended.push("unreadable"));
    await eventually(() => second.frames.length, (count) => count >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(second.client.connected).toBe(true);
    expect(ended).toEqual(["gone"]);
  });

  it("tells a signed-out session's browser why before it drops the socket", async () => {
    const { url, feed } = await startFeed();
    const { client, frames } = open(url);
    const ended: number[] = [];
    client.on("sessionEnded", () => ended.push(Date.now()));
    await eventually(() => frames.length, (count) => count >= 1);
    feed.dropSession("another session");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(client.connected).toBe(true);
    feed.dropSession("s1");
    await eventually(() => ended.length, (count) => count === 1);
    await eventually(() => client.connected, (connected) => !connected);
  });
});
