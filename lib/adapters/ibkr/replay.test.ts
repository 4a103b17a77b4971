/**
 * The adapter against fixed bytes: each fixture in ./fixtures is a conversation recorded from
 * the simulator (scripts/record-frames.ts); here the real @stoqey/ib client, through GatewayClient,
 * IbkrBroker and IbkrMarketData, talks to a gateway that only plays those frames back. What the
 * adapter makes of them must not change when the simulator does.
 */
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { BrokerEvent } from "@/lib/core/ports";
import { formatFrameLog, parseFrameLog, type LoggedFrame } from "./fixtures/frame-log";
import { startReplayGateway, type ReplayGateway } from "./fixtures/replay-gateway";
import { bracketScenario, connectivityScenario, delayedDataScenario, handshakeScenario, reconcileScenario, rejectCancelScenario, replayWorld, SCENARIOS, type Scenario } from "./fixtures/scenarios";
import { coreStatusOf, orderErrorMeaning } from "./order-mapping";

const fixture = (name: string) => parseFrameLog(readFileSync(path.join(import.meta.dirname, "fixtures", `${name}.frames`), "utf8"));
const gatewayFrames = (frames: LoggedFrame[], messageId: string) => frames.filter((frame) => frame.from === "gateway" && frame.fields[0] === messageId).map((frame) => frame.fields);

const replays: ReplayGateway[] = [];
afterEach(async () => {
  for (const replay of replays.splice(0)) await replay.stop();
});

/** Runs the scenario's client side against its fixture; fails unless every recorded frame was played and every client frame matched. */
async function replayed<Result>(scenario: Scenario<Result>): Promise<Result> {
  const replay = await startReplayGateway(fixture(scenario.name));
  replays.push(replay);
  const result = await scenario.run(replay, replayWorld);
  await replay.finished;
  expect(replay.unexpected).toEqual([]);
  return result;
}

const statuses = (events: readonly BrokerEvent[], orderId: number) => events.flatMap((event) => (event.type === "status" && event.update.orderId === orderId ? [event.update.status] : []));
const fills = (events: readonly BrokerEvent[]) => events.flatMap((event) => (event.type === "fill" ? [event.fill] : []));

describe("IBKR adapter against recorded frames", () => {
  it("handshake: connecting then connected, the managed account, order ids from nextValidId, farms OK, reconciled", async () => {
    const result = await replayed(handshakeScenario);
    expect(result.states).toEqual(["connecting", "connected"]);
    expect(result.accounts).toEqual([["DU1234567"]]);
    expect(result.managedAccount).toBe("DU1234567");
    expect(result.firstOrderId).toBe(1);
    expect(result.notices.map(({ code, kind }) => [code, kind])).toEqual([[2104, "farm-ok"], [2106, "farm-ok"], [2158, "farm-ok"]]);
    expect(result.farms).toEqual({ usfarm: "ok", ushmds: "ok", secdefil: "ok" });
    expect(result.reconcileOk).toBe(true);
  });

  it("bracket: acknowledged, the entry and the take-profit filled once each with execId and commission before Filled, the stop cancelled", async () => {
    const { ids, events } = await replayed(bracketScenario);
    const [parent, takeProfit, stop] = ids;
    expect(statuses(events, parent)).toEqual(["Submitted", "Filled"]);
    expect(statuses(events, takeProfit)).toEqual(["PreSubmitted", "Submitted", "Filled"]);
    expect(statuses(events, stop)).toEqual(["PreSubmitted", "Cancelled"]);
    expect(fills(events)).toEqual([
      { orderId: parent, execId: "000b0f48.00000001.01.01", symbol: "AAPL", side: "BUY", quantity: 10, price: 100, commission: 1, time: expect.any(Number) },
      { orderId: takeProfit, execId: "000b0f48.00000002.01.01", symbol: "AAPL", side: "SELL", quantity: 10, price: 101, commission: 1, time: expect.any(Number) },
    ]);
    for (const orderId of [parent, takeProfit]) {
      const fillAt = events.findIndex((event) => event.type === "fill" && event.fill.orderId === orderId);
      const filledAt = events.findIndex((event) => event.type === "status" && event.update.orderId === orderId && event.update.status === "Filled");
      expect(fillAt).toBeLessThan(filledAt);
    }
    // The execution's "20261121 17:06:00 US/Eastern", read in its own zone (UTC-5 in November).
    expect(gatewayFrames(fixture(bracketScenario.name), "11")[0][15]).toBe("20261121 17:06:00 US/Eastern");
    expect(new Date(fills(events)[0].time).toISOString()).toBe("2026-11-21T22:06:00.000Z");
  });

  it("rejection (201) ends the order as Inactive with TWS's reason; a cancel (202) ends the acknowledged order as Cancelled", async () => {
    const { rejectedId, cancelledId, events } = await replayed(rejectCancelScenario);
    expect(statuses(events, rejectedId)).toEqual(["Inactive"]);
    expect(events.find((event) => event.type === "status" && event.update.orderId === rejectedId)).toMatchObject({ update: { status: "Inactive", filled: 0, remaining: 5, reason: "201: Order rejected - reason:Simulated rejection" } });
    expect(statuses(events, cancelledId)).toEqual(["Submitted", "Cancelled"]);
    expect(fills(events)).toEqual([]);
  });

  it("1100 then 1101: notices classified, farms broken then OK, the session kept, the quote resubscribed and prints flowing again", async () => {
    const result = await replayed(connectivityScenario);
    expect(result.notices.slice(3).map(({ code, kind }) => [code, kind])).toEqual([
      [1100, "connectivity-lost"],
      [2103, "farm-broken"],
      [2105, "farm-broken"],
      [1101, "restored-data-lost"],
      [2104, "farm-ok"],
      [2106, "farm-ok"],
    ]);
    expect(result.states).toEqual(["connecting", "connected"]);
    expect(result.farms).toEqual({ usfarm: "ok", ushmds: "ok", secdefil: "ok" });
    // 100 and 100.25 before the outage; after 1101 the new subscription opens at 100.25, then 100.5.
    expect(result.ticks).toEqual([100, 100.25, 100.25, 100.5]);
    expect(result.entitlement).toBe("live");
    const requests = fixture(connectivityScenario.name).filter((frame) => frame.from === "client" && frame.fields[0] === "1");
    expect(requests.map((frame) => frame.fields[4])).toEqual(["AAPL", "AAPL"]);
  });

  it("delayed data: 10167 and market data type 3 make the symbol's entitlement delayed, and its prints still arrive", async () => {
    const result = await replayed(delayedDataScenario);
    expect(result.entitlement).toBe("delayed");
    expect(result.dataErrors).toEqual([{ symbol: "TSLA", code: 10167 }]);
    expect(result.ticks).toEqual([250]);
  });

  it("reconcile: open orders, today's executions and positions mapped to the adapter's records", async () => {
    const { snapshot, positions, reconcile } = await replayed(reconcileScenario);
    expect(reconcile).toEqual({ ok: true, openOrders: 2, executions: 1, positions: 4 });
    expect(snapshot.openOrders).toEqual([
      expect.objectContaining({ orderId: 1, symbol: "NVDA", side: "BUY", orderType: "LMT", quantity: 20, limitPrice: 108.11, timeInForce: "GTC", orderRef: "demo", status: "Submitted", parentId: null, ocaGroup: null }),
      expect.objectContaining({ orderId: 2, symbol: "AAPL", side: "SELL", orderType: "LMT", quantity: 50, limitPrice: 210.98, timeInForce: "GTC", orderRef: "demo", status: "Submitted" }),
    ]);
    expect(snapshot.executions).toEqual([
      expect.objectContaining({ execId: "000b0f48.00000001.01.01", orderId: 3, clientId: 17, symbol: "NVDA", side: "BUY", shares: 20, price: 120, orderRef: "fixture:3", executedAt: new Date("2026-11-21T22:06:02.000Z") }),
    ]);
    expect(positions.map(({ symbol, quantity, avgCost }) => [symbol, quantity, avgCost])).toEqual([
      ["AAPL", 100, 184.13],
      ["MSFT", 50, 401.76],
      ["TSLA", -30, 248.22],
      ["NVDA", 20, 120.05],
    ]);
  });

  it("mapping tables cover what the fixtures say: every order status maps to a core status, and their error codes have their meaning", () => {
    const frames = SCENARIOS.flatMap((scenario) => fixture(scenario.name));
    const ibStatuses = new Set(gatewayFrames(frames, "3").map((fields) => fields[2]));
    expect([...ibStatuses].sort()).toEqual(["Cancelled", "Filled", "Inactive", "PreSubmitted", "Submitted"]);
    for (const status of ibStatuses) expect(coreStatusOf(status)).toBe(status);
    const orderErrors = gatewayFrames(frames, "4").filter((fields) => Number(fields[2]) > 0 && Number(fields[2]) < 2 ** 30);
    expect(Object.fromEntries(orderErrors.map((fields) => [fields[3], orderErrorMeaning(Number(fields[3]))]))).toEqual({ "201": "rejected", "202": "cancelled" });
  });
});

describe("frame log and replay gateway", () => {
  it("a frame log reads back what was written, separators, backslashes and line breaks in fields included", () => {
    const frames: LoggedFrame[] = [
      { from: "client", handshake: true, fields: ["API", "v100..193"] },
      { from: "gateway", fields: ["4", "2", "-1", "2104", "a|b\\c\nd\re", ""] },
      { from: "client", fields: [""] },
    ];
    const text = formatFrameLog(frames, ["a comment"]);
    expect(text.split("\n")[0]).toBe("# a comment");
    expect(parseFrameLog(text)).toEqual(frames);
    expect(() => parseFrameLog("X> 1|2")).toThrow(/line 1: expected "C> " or "G> "/);
  });

  it("a client that does not say what the recording has is reported as a stall, naming the frame awaited", async () => {
    const replay = await startReplayGateway(fixture(handshakeScenario.name), { stallMs: 300 });
    replays.push(replay);
    const socket = net.connect(replay.port, replay.host);
    socket.on("error", () => undefined);
    const version = Buffer.from("v100..193");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(version.length);
    socket.write(Buffer.concat([Buffer.from("API\0", "latin1"), length, version]));
    await expect(replay.finished).rejects.toThrow(/replay stopped at frame 3 of \d+ \(C> 71\|2\|17\|\): no matching client frame within 300 ms/);
    socket.destroy();
  });
});
