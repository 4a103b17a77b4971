import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import pino from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { startGatewaySimulator, type GatewaySimulator } from "@/lib/sim";
import { createTestPrisma } from "@/test/db";
import { eventually } from "@/test/eventually";
import { GatewayClient } from "./gateway-client";
import { HistoricalPacing, HistoricalQueue, IB_HISTORICAL_LIMITS, barTime, ibDateTime, ibDuration, uncovered, type PacedRequest } from "./historical-queue";

const request = (identity: string, contractKey = "SPY|TRADES", weight: 1 | 2 = 1): PacedRequest => ({ identity, contractKey, weight });

describe("historical pacing (hand-moved clock)", () => {
  it("no identical request within 15 s (plus a margin for transit)", () => {
    const pacing = new HistoricalPacing();
    pacing.markAnswered(pacing.markSent(request("a")), 0);
    expect(pacing.waitFor(request("a"), 1_000)).toBe(14_100);
    expect(pacing.waitFor(request("a"), 15_100)).toBe(0);
    expect(pacing.waitFor(request("b", "MSFT|TRADES"), 1_000)).toBe(0);
  });

  it("at most 5 per contract and data type in any 2 s (plus a margin)", () => {
    const pacing = new HistoricalPacing();
    for (let index = 0; index < 5; index++) {
      pacing.markAnswered(pacing.markSent(request(`r${index}`)), index * 100);
    }
    expect(pacing.waitFor(request("r5"), 500)).toBe(1_600);
    expect(pacing.waitFor(request("r5"), 2_100)).toBe(0);
    expect(pacing.waitFor(request("other", "SPY|BID_ASK"), 500)).toBe(0);
  });

  it("at most 58 weights in 10 minutes, BID_ASK counting twice", () => {
    const pacing = new HistoricalPacing();
    for (let index = 0; index < 57; index++) {
      pacing.markAnswered(pacing.markSent(request(`r${index}`, `C${index}`)), index * 3_000);
    }
    const now = 57 * 3_000;
    expect(pacing.waitFor(request("one-more", "X"), now)).toBe(0);
    expect(pacing.waitFor(request("double", "X", 2), now)).toBe(600_000 - now);
    pacing.markAnswered(pacing.markSent(request("one-more", "X")), now);
    expect(pacing.waitFor(request("late", "Y"), 600_000)).toBe(0);
  });

  it("at most 20 open; a finished one frees a place", () => {
    const pacing = new HistoricalPacing({ ...IB_HISTORICAL_LIMITS, perContractBurst: 100 });
    const sent = Array.from({ length: 20 }, (_, index) => pacing.markSent(request(`r${index}`, `C${index}`)));
    expect(pacing.waitFor(request("r20", "D"), 0)).toBe(Infinity);
    pacing.markAnswered(sent[0], 0);
    expect(pacing.waitFor(request("r20", "D"), 0)).toBe(0);
  });

  it("an open request counts as handled now: TWS may handle it long after it was sent", () => {
    const pacing = new HistoricalPacing();
    const open = Array.from({ length: 5 }, (_, index) => pacing.markSent(request(`r${index}`)));
    // Sent long ago but unanswered: still five "now" for this contract.
    expect(pacing.waitFor(request("r5"), 3_000)).toBe(2_100);
    for (const entry of open) pacing.markAnswered(entry, 3_000);
    expect(pacing.waitFor(request("r5"), 4_000)).toBe(1_100);
    expect(pacing.waitFor(request("r5"), 5_100)).toBe(0);
  });
});

describe("historical helpers", () => {
  it("finds the parts of a span not fetched yet", () => {
    expect(uncovered({ from: 0, to: 100 }, [])).toEqual([{ from: 0, to: 100 }]);
    expect(uncovered({ from: 0, to: 100 }, [{ from: 20, to: 40 }, { from: 30, to: 60 }, { from: 90, to: 200 }])).toEqual([
      { from: 0, to: 20 },
      { from: 60, to: 90 },
    ]);
    expect(uncovered({ from: 10, to: 50 }, [{ from: 0, to: 60 }])).toEqual([]);
  });

  it("formats TWS end times and durations, and reads bar times", () => {
    expect(ibDateTime(Date.UTC(2026, 10, 20, 21, 5, 9))).toBe("20261120-21:05:09");
    expect(ibDuration(3_600_000)).toBe("3600 S");
    expect(ibDuration(3 * 86_400_000 + 1)).toBe("4 D");
    expect(ibDuration(800 * 86_400_000)).toBe("3 Y");
    expect(barTime("1763672400", "UTC")).toBe(1_763_672_400_000);
    expect(barTime("20261120", "America/New_York")).toBe(Date.UTC(2026, 10, 20, 5));
    expect(() => barTime("yesterday", "UTC")).toThrow(/yesterday/);
  });
});

describe("historical queue against the simulated gateway (which enforces pacing with error 162)", () => {
  const log = pino({ level: "silent" });
  let simulator: GatewaySimulator;
  let gateway: GatewayClient;
  let prisma: PrismaClient;

  beforeAll(async () => {
    simulator = await startGatewaySimulator({ seed: 4, startingState: "empty" });
    prisma = createTestPrisma();
    gateway = new GatewayClient({ host: simulator.host, port: simulator.port, clientId: 3, log });
    gateway.start();
    await eventually(() => gateway.connectionState, (state) => state === "connected");
  });

  afterAll(async () => {
    await gateway?.stop();
    await simulator?.stop();
    await prisma?.$disconnect();
  });

  it("eight requests for one contract at once all succeed, paced (no 162), and are then served from Postgres", async () => {
    await prisma.historicalSpan.deleteMany({ where: { seriesKey: { startsWith: "QQQ|" } } });
    const errors: number[] = [];
    gateway.on("orderError", (_id, code) => errors.push(code));
    const queue = new HistoricalQueue({ gateway, prisma });
    const sent = vi.spyOn(gateway, "requestHistoricalData");
    const end = lastWednesdayAt(22);
    const hour = 3_600_000;
    const started = Date.now();
    const spans = Array.from({ length: 8 }, (_, index) => ({ from: end - (index + 1) * hour, to: end - index * hour }));
    const results = spans.map((span) => queue.bars({ symbol: "QQQ", barSize: "1 min", useRth: false, ...span }));
    await eventually(() => queue.depth, (depth) => depth === 3);
    const answers = await Promise.all(results);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(errors).not.toContain(162);
    expect(sent).toHaveBeenCalledTimes(8);
    answers.forEach((bars, index) => {
      expect(bars.length).toBe(60);
      expect(bars[0].time).toBe(spans[index].from);
      expect(bars.every((bar) => bar.low <= bar.open && bar.open <= bar.high)).toBe(true);
    });

    const whole = await queue.bars({ symbol: "QQQ", barSize: "1 min", useRth: false, from: end - 8 * hour, to: end });
    expect(sent).toHaveBeenCalledTimes(8);
    expect(whole.length).toBe(480);
    expect(queue.depth).toBe(0);
    sent.mockRestore();
  });

  it("two asks for the same span share one request", async () => {
    const queue = new HistoricalQueue({ gateway, prisma });
    const sent = vi.spyOn(gateway, "requestHistoricalData");
    const to = lastWednesdayAt(20) - 7 * 86_400_000;
    const ask = { symbol: "JPM", barSize: "1 hour" as const, useRth: false, from: to - 86_400_000, to };
    const [first, second] = await Promise.all([queue.bars(ask), queue.bars(ask)]);
    expect(sent).toHaveBeenCalledTimes(1);
    expect(second).toEqual(first);
    sent.mockRestore();
  });
});

/** An hour (UTC) of the last Wednesday before this week: a weekday, inside the simulator's extended session. */
function lastWednesdayAt(hourUtc: number): number {
  const today = new Date();
  const daysBack = ((today.getUTCDay() - 3 + 7) % 7) + 7;
  return Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - daysBack, hourUtc);
}
