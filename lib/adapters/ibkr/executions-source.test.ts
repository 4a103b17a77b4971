import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { exchangeCalendar } from "@/lib/core/calendar";
import { gatewayExecutionsSource } from "./executions-source";
import { GatewayClient } from "./gateway-client";
import { simulatorLedgerSourceFor, startGatewaySimulator, type GatewaySimulator } from "./test-support";

const log = pino({ level: "silent" });
const calendar = exchangeCalendar("XNYS");

describe("IBKR executions source before the session is up", () => {
  let sim: GatewaySimulator | undefined;
  let client: GatewayClient | undefined;

  afterEach(async () => {
    await client?.stop();
    await sim?.stop();
  });

  it("waits for the reconciled session instead of sending a request that would be dropped", async () => {
    sim = await startGatewaySimulator({ seed: 5, tickIntervalMs: 60_000 });
    client = new GatewayClient({ host: sim.host, port: sim.port, clientId: 23, log, reconnectDelaysMs: { initial: 20, max: 200 } });
    const day = calendar.tradingDayOf(Date.now());
    const listed = gatewayExecutionsSource(client, calendar, 5_000).executionsForDay(day);
    client.start();
    expect(await listed).toEqual(await simulatorLedgerSourceFor(sim, calendar).executionsForDay(day));
  });

  it("says the broker is not connected when no session comes up in time", async () => {
    sim = await startGatewaySimulator({ seed: 5, tickIntervalMs: 60_000 });
    client = new GatewayClient({ host: sim.host, port: sim.port, clientId: 24, log });
    const day = calendar.tradingDayOf(Date.now());
    await expect(gatewayExecutionsSource(client, calendar, 5_000, 200).executionsForDay(day)).rejects.toThrow("IBKR is not connected: the day's executions could not be asked for within 200 ms");
  });
});
