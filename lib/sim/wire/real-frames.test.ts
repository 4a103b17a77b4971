/**
 * Compares the simulator's frames with real TWS frames captured from a paper account
 * (`../shared/fixtures/tws-real-frames.txt`, kept outside the repository). Skipped, and says
 * so, when that file is absent.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OrderAction, OrderType, SecType } from "@stoqey/ib";
import { Encoder } from "@stoqey/ib/dist/core/io/encoder";
import { startGatewaySimulator, type GatewaySimulator } from "../index";
import { RawClient } from "../test-support";
import { OUT } from "./outgoing";

const FIXTURE = path.resolve(process.cwd(), "../shared/fixtures/tws-real-frames.txt");
const fixturePresent = existsSync(FIXTURE);
if (!fixturePresent) console.warn(`real-frames.test.ts skipped: ${FIXTURE} is absent`);

/** Frames are quoted, '|' stands for each field's terminating NUL. */
function realFrames(): string[][] {
  return readFileSync(FIXTURE, "utf8")
    .split("\n")
    .filter((line) => line.startsWith('"'))
    .map((line) => {
      const fields = line.slice(1, -1).split("|");
      fields.pop();
      return fields;
    });
}

describe.skipIf(!fixturePresent)("frames compared with real TWS frames", () => {
  let sim: GatewaySimulator;
  let frames: string[][];

  beforeAll(async () => {
    sim = await startGatewaySimulator({ tickIntervalMs: 60_000, startingState: "empty" });
    const client = new RawClient(sim.port);
    await client.connected;
    client.handshake("v100..178");
    await client.waitForFrame((fields) => fields.length === 2);
    client.sendFields(["71", "2", "100", ""]);
    const [, , nextId] = await client.waitForFrame((fields) => fields[0] === String(OUT.NEXT_VALID_ID));
    const toFields = (tokens: unknown[]) => tokens.flat(Infinity).map((token) => (token === undefined ? "" : typeof token === "boolean" ? (token ? "1" : "0") : String(token)));
    const encoder = new Encoder({ serverVersion: 178, sendMsg: (...tokens: unknown[]) => client.sendFields(toFields(tokens)), emitError: () => undefined });
    encoder.placeOrder(Number(nextId), { symbol: "TSLA", secType: SecType.STK, exchange: "SMART", currency: "USD" }, { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 100, transmit: true });
    await client.waitForFrame((fields) => fields[0] === String(OUT.COMMISSION_REPORT));
    frames = client.frames;
    client.destroy();
  });
  afterAll(() => sim.stop());

  const first = (id: number, rows: string[][]) => rows.find((fields) => fields[0] === String(id)) ?? [];

  it("execution data has the real frame's field count and layout at server version 178", () => {
    const real = first(OUT.EXECUTION_DATA, realFrames());
    const ours = first(OUT.EXECUTION_DATA, frames);
    expect(ours).toHaveLength(real.length);
    expect(ours[1]).toBe(real[1]); // reqId -1 for an unsolicited execution
    expect(ours[4]).toBe("TSLA");
    expect(ours[3]).toBe(real[3]); // conId
    expect(ours[18]).toBe(real[18]); // side BOT
    expect(ours[15]).toMatch(/^\d{8} \d{2}:\d{2}:\d{2} /);
    expect(ours[14]).toMatch(/^[0-9a-f]{8}\.[0-9a-f]{8}\.\d{2}\.\d{2}$/); // execId shaped like 00025b46.63f8f39c.01.01
  });

  it("the open order of a market order carries TWS's quirks: right '?', prices '0.0', display size unset", () => {
    const real = first(OUT.OPEN_ORDER, realFrames());
    const ours = first(OUT.OPEN_ORDER, frames);
    // id, orderId, conId, symbol, secType, lastTradeDate, strike, right ...
    expect(ours[7]).toBe(real[7]);
    expect(ours[7]).toBe("?");
    // action, quantity, type, lmtPrice, auxPrice follow the contract's 11 fields
    expect(ours.slice(13, 18)).toEqual(["BUY", "100", "MKT", "0.0", "0.0"]);
    expect(real.slice(13, 18)).toEqual(["BUY", "100", "MKT", "0.0", "0.0"]);
    expect(ours).toContain("2147483647");
  });

  it("the commission report sends Double.MAX_VALUE as realized P&L on an opening fill", () => {
    const real = first(OUT.COMMISSION_REPORT, realFrames());
    const ours = first(OUT.COMMISSION_REPORT, frames);
    expect(ours.slice(3, 7)).toEqual(["1.0", "USD", "1.7976931348623157E308", "1.7976931348623157E308"]);
    expect(real.slice(3, 7)).toEqual(ours.slice(3, 7));
  });
});
