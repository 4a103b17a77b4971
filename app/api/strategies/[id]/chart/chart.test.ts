/** The chart route as Next calls it: signed in for real, the strategy runner on the simulator's prices and Postgres. */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRequest, call, startAuthHarness, type AuthHarness } from "@/lib/auth/test-harness";
import { IbkrMarketData } from "@/lib/adapters/ibkr/market-data";
import { GatewayClient } from "@/lib/adapters/ibkr/gateway-client";
import { paperBroker } from "@/lib/adapters/paper/paper-broker";
import { alwaysApprove } from "@/lib/core/engine/risk-gates";
import { perShareCommission } from "@/lib/core/model/commission";
import { startGatewaySimulator, type GatewaySimulator } from "@/lib/sim";
import type { StrategyChart } from "@/lib/services/strategy-directory";
import { StrategyRunner } from "@/lib/services/strategy-runner";
import { eventually } from "@/test/eventually";
import * as chartRoute from "./route";

const PASSWORD = "owner password for the chart route";
const log = pino({ level: "silent" });
// A Wednesday noon in New York moving with the wall clock: inside the regular session.
const startedAt = Date.now();
const clock = { now: () => Date.UTC(2026, 10, 18, 17) + (Date.now() - startedAt) };
let h: AuthHarness;
let simulator: GatewaySimulator;
let gateway: GatewayClient;
let marketData: IbkrMarketData;
let runner: StrategyRunner;
let session: string;

beforeAll(async () => {
  h = await startAuthHarness();
  session = await h.signInOwner(PASSWORD);
  simulator = await startGatewaySimulator({ seed: 5, tickIntervalMs: 10, startingState: "empty" });
  gateway = new GatewayClient({ host: simulator.host, port: simulator.port, clientId: 9, log });
  gateway.start();
  await eventually(() => gateway.ready, Boolean);
  marketData = new IbkrMarketData(gateway, clock);
  await h.prisma.strategyInstance.create({
    data: { id: "chart-msft", strategy: "ma-cross", label: "chart", symbols: ["MSFT"], parameters: { fast: 2, slow: 3 }, state: "running", barSeconds: 1, riskPercent: 5 },
  });
  runner = new StrategyRunner({
    prisma: h.prisma,
    marketData,
    brokerFor: (instrument) => paperBroker(instrument, { clock, commission: perShareCommission() }),
    risk: alwaysApprove,
    events: { emit: () => undefined },
    clock,
    availableFunds: () => 100_000,
    log,
  });
  await runner.start();
  h.publishServices({ strategies: runner });
}, 60_000);

afterAll(async () => {
  runner?.stop();
  marketData?.dispose();
  await gateway?.stop();
  await simulator?.stop();
  await h?.stop();
});

const get = (id: string, query: string, withSession = true) =>
  call(chartRoute.GET, apiRequest("GET", `/api/strategies/${id}/chart${query}`, withSession ? { session } : {}), { id });

describe("GET /api/strategies/[id]/chart", () => {
  it("needs a session and a valid symbol, and answers 404 for a symbol the instance does not trade", async () => {
    expect((await get("chart-msft", "?symbol=MSFT", false)).status).toBe(401);
    const missing = await get("chart-msft", "");
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain("symbol is required");
    expect((await get("chart-msft", "?symbol=AAPL")).status).toBe(404);
    expect((await get("nope", "?symbol=MSFT")).status).toBe(404);
  });

  it("serves the running instance's live bars with one value per bar on every indicator line", async () => {
    const chart = await eventually(
      async () => (await (await get("chart-msft", "?symbol=msft")).json()) as StrategyChart,
      (body) => body.bars?.length >= 3,
      20_000,
    );
    expect(chart).toMatchObject({ id: "chart-msft", symbol: "MSFT", barSeconds: 1 });
    for (const line of chart.overlays) expect(line.values).toHaveLength(chart.bars.length);
    expect(chart.bars.every((bar) => bar.low <= Math.min(bar.open, bar.close) && bar.high >= Math.max(bar.open, bar.close))).toBe(true);
  }, 30_000);
});
