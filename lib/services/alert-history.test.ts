import net from "node:net";
import pino from "pino";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterEach, describe, expect, it } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { DEFAULT_ALERT_LEVELS } from "@/lib/adapters/discord/levels";
import { eventually } from "@/test/eventually";
import { scratchPrismaForSuite } from "@/test/db";
import { freePort } from "@/test/net";
import { AlertService } from "./alerts";
import { AlertHistory, type AlertRecord } from "./alert-history";

const log = pino({ level: "silent" });
const db = scratchPrismaForSuite();
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await db.prisma.alertHistoryEntry.deleteMany();
});

async function startHistory(options: Partial<ConstructorParameters<typeof AlertHistory>[0]> = {}): Promise<AlertHistory> {
  const history = new AlertHistory({ prisma: db.prisma, log, ...options });
  await history.start();
  cleanups.push(() => history.stop());
  return history;
}

const alert = (index: number): AlertRecord => ({ kind: "error", level: "warning", text: `alert ${index}` });
const storedTexts = async () => (await db.prisma.alertHistoryEntry.findMany({ orderBy: { id: "asc" } })).map((row) => row.text);

describe("AlertHistory", { timeout: 30_000 }, () => {
  it("records each alert-worthy event once, whatever Discord's levels and with no webhook set", async () => {
    const history = await startHistory();
    const alerts = new AlertService({ sink: () => null, levels: () => ({ ...DEFAULT_ALERT_LEVELS, fill: "off" }), record: (entry) => history.record(entry) });
    const fill = { orderId: 1, execId: "x1", symbol: "SPY", side: "SELL" as const, quantity: 10, price: 502, commission: 1, time: 0 };
    alerts.emit({ type: "fill", time: 0, fill, realizedPnl: 8 });
    alerts.fill({ execId: "x1", orderId: 1, symbol: "SPY", side: "SELL", shares: 10, price: 502, executedAt: "", commission: 1, realizedPnl: 8 });
    alerts.tradingMode({ mode: "HALTED", since: new Date().toISOString(), reason: "daily loss limit", changedBy: "guardian" });
    alerts.denial("AAPL", "max position 100 shares");

    await eventually(() => db.prisma.alertHistoryEntry.count(), (count) => count === 3);
    const rows = await db.prisma.alertHistoryEntry.findMany({ orderBy: { id: "asc" } });
    expect(rows.map(({ kind, level, symbol, text }) => ({ kind, level, symbol, text }))).toEqual([
      { kind: "fill", level: "info", symbol: "SPY", text: "💰 Sold 10 SPY @ 502.00 · realized +8.00" },
      { kind: "halt", level: "critical", symbol: null, text: "🚦 Trading HALTED by guardian: daily loss limit" },
      { kind: "denial", level: "warning", symbol: "AAPL", text: "⛔ Risk denied AAPL: max position 100 shares" },
    ]);
    expect(rows[0].details).toMatchObject({ execId: "x1", side: "SELL", quantity: 10, price: 502, realizedPnl: 8 });
    expect(history.latest().map((entry) => entry.kind)).toEqual(["denial", "halt", "fill"]);
    expect(history.latest().map((entry) => entry.id)).toEqual(rows.map((row) => Number(row.id)).reverse());
  });

  it("gives the newest N newest first, to this process and to the next one started on the same database", async () => {
    const history = await startHistory({ recentLimit: 5 });
    for (let i = 1; i <= 8; i++) history.record(alert(i));
    const texts = ["alert 8", "alert 7", "alert 6", "alert 5", "alert 4"];
    expect(history.latest().map((entry) => entry.text)).toEqual(texts);
    const ids = history.latest().map((entry) => entry.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    await eventually(() => history.unwritten, (count) => count === 0);

    const restarted = await startHistory({ recentLimit: 5 });
    expect(restarted.latest()).toEqual(history.latest());
    const next = restarted.record(alert(9))!;
    expect(next.id).toBeGreaterThan(ids[0]);
  });

  it("pages backwards from an id with `before` and says when the history is exhausted", async () => {
    const history = await startHistory();
    for (let i = 1; i <= 7; i++) history.record(alert(i));
    await eventually(() => history.unwritten, (count) => count === 0);

    const first = await history.page({ limit: 3 });
    expect(first.alerts.map((entry) => entry.text)).toEqual(["alert 7", "alert 6", "alert 5"]);
    const second = await history.page({ limit: 3, before: first.nextBefore! });
    expect(second.alerts.map((entry) => entry.text)).toEqual(["alert 4", "alert 3", "alert 2"]);
    const last = await history.page({ limit: 3, before: second.nextBefore! });
    expect(last.alerts.map((entry) => entry.text)).toEqual(["alert 1"]);
    expect(last.nextBefore).toBeNull();
  });

  it("prunes alerts past the retention on start", async () => {
    const day = 24 * 60 * 60_000;
    const now = Date.parse("2030-06-01T12:00:00Z");
    await db.prisma.alertHistoryEntry.createMany({
      data: [
        { id: BigInt((now - 91 * day) * 1000), at: new Date(now - 91 * day), kind: "error", level: "warning", text: "too old" },
        { id: BigInt((now - 89 * day) * 1000), at: new Date(now - 89 * day), kind: "error", level: "warning", text: "kept" },
      ],
    });
    const history = await startHistory({ now: () => now, retentionDays: 90 });
    expect(await storedTexts()).toEqual(["kept"]);
    expect(history.latest().map((entry) => entry.text)).toEqual(["kept"]);
  });

  it("never throws into the caller while Postgres is unreachable, and writes what it kept once it is back", async () => {
    const port = await freePort();
    const unreachable = new PrismaClient({ adapter: new PrismaPg({ connectionString: viaPort(db.url, port), connectionTimeoutMillis: 1_000 }) });
    cleanups.push(() => unreachable.$disconnect());
    const history = new AlertHistory({ prisma: unreachable, log, retryMs: 100 });
    await expect(history.start()).resolves.toBeUndefined();

    const alerts = new AlertService({ sink: () => null, levels: () => DEFAULT_ALERT_LEVELS, record: (entry) => history.record(entry) });
    expect(() => {
      alerts.denial("SPY", "outage 1");
      alerts.denial("SPY", "outage 2");
    }).not.toThrow();
    expect(history.latest().map((entry) => entry.text)).toEqual(["⛔ Risk denied SPY: outage 2", "⛔ Risk denied SPY: outage 1"]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(history.unwritten).toBe(2);
    await expect(history.page({ limit: 10 })).rejects.toThrow();

    const proxy = await forwardPort(port, new URL(db.url));
    cleanups.push(() => proxy.stop());
    await eventually(() => history.unwritten, (count) => count === 0, 20_000);
    expect(await storedTexts()).toEqual(["⛔ Risk denied SPY: outage 1", "⛔ Risk denied SPY: outage 2"]);
    await history.stop();
  });
});

function viaPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = "127.0.0.1";
  parsed.port = String(port);
  return parsed.toString();
}

/** Postgres comes back: a TCP forwarder on the port the client was given. */
async function forwardPort(port: number, target: URL): Promise<{ stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    stop: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
