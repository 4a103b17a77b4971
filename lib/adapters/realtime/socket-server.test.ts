import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { io as connect, type Socket } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { eventually } from "@/test/eventually";
import { AccountView } from "@/lib/services/account-view";
import { SOCKET_PATH, type ClientToServerEvents, type DashboardDelta, type ServerToClientEvents } from "./events";
import { RealtimeFeed } from "./socket-server";

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startFeed(): Promise<{ view: AccountView; url: string }> {
  const httpServer: HttpServer = createServer();
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const view = new AccountView(() => true);
  const feed = new RealtimeFeed({
    httpServer,
    view,
    log: pino({ level: "silent" }),
    authenticate: async () => ({ userId: "u1", username: "owner", role: "owner", sessionId: "s1", via: "session" }) as never,
  });
  cleanups.push(async () => {
    await feed.stop();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  });
  return { view, url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}` };
}

function open(url: string): { client: Client; frames: { event: string; at: number; payload: unknown }[] } {
  const client: Client = connect(url, { path: SOCKET_PATH, transports: ["websocket"], reconnectionDelay: 50 });
  const frames: { event: string; at: number; payload: unknown }[] = [];
  client.on("snapshot", (payload) => frames.push({ event: "snapshot", at: Date.now(), payload }));
  client.on("delta", (payload) => frames.push({ event: "delta", at: Date.now(), payload }));
  cleanups.push(() => void client.disconnect());
  return { client, frames };
}

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
});
