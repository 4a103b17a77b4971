/** Garbage on the wire: the simulator answers like TWS, never crashes, and other clients carry on. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EventName } from "@stoqey/ib";
import { startGatewaySimulator, type GatewaySimulator } from "./index";
import { encodeFrame } from "./wire/framing";
import { OUT } from "./wire/outgoing";
import { connectClient, disconnect, eventually, RawClient, stock, waitForEvent, type ConnectedClient } from "./test-support";

let sim: GatewaySimulator;
let bystander: ConnectedClient;
let bystanderTicks = 0;
const raws: RawClient[] = [];

function raw(): RawClient {
  const client = new RawClient(sim.port);
  raws.push(client);
  return client;
}

async function startedRaw(clientId: number): Promise<RawClient> {
  const client = raw();
  await client.connected;
  client.handshake();
  await client.waitForFrame((fields) => fields.length === 2);
  client.sendFields(["71", "2", String(clientId), ""]);
  await client.waitForFrame((fields) => fields[0] === String(OUT.NEXT_VALID_ID));
  return client;
}

const isError = (code: number) => (fields: string[]) => fields[0] === String(OUT.ERR_MSG) && fields[3] === String(code);

beforeEach(async () => {
  sim = await startGatewaySimulator({ tickIntervalMs: 10 });
  bystander = await connectClient(sim.port, 99);
  bystanderTicks = 0;
  bystander.api.on(EventName.tickPrice, () => (bystanderTicks += 1));
  bystander.api.reqMktData(1, stock("AAPL"), "", false, false);
});

afterEach(async () => {
  for (const client of raws.splice(0)) client.destroy();
  await disconnect(bystander);
  await sim.stop();
});

/** The bystander still streams and still gets answers after whatever the test did. */
async function expectBystanderUnaffected(): Promise<void> {
  const before = bystanderTicks;
  await eventually(() => expect(bystanderTicks).toBeGreaterThan(before + 3));
  const time = waitForEvent(bystander.api, EventName.currentTime);
  bystander.api.reqCurrentTime();
  await time;
}

describe("broken connections are closed cleanly", () => {
  it("closes a connection that does not start with the API preamble", async () => {
    const client = raw();
    await client.connected;
    client.write(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    await client.closed;
    expect(client.frames).toEqual([]);
    await expectBystanderUnaffected();
  });

  it("closes a connection whose version range is below the supported minimum", async () => {
    const client = raw();
    await client.connected;
    client.handshake("v1..60");
    await client.closed;
    expect(client.frames).toEqual([]);
  });

  it("closes a connection that sends an impossible frame length", async () => {
    const client = await startedRaw(5);
    client.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    await client.closed;
    await expectBystanderUnaffected();
  });
});

describe("bad requests get an error and the connection stays up", () => {
  it("answers an unknown message id with error 320", async () => {
    const client = await startedRaw(6);
    client.sendFields(["999", "1", "x"]);
    const error = await client.waitForFrame(isError(320));
    expect(error[2]).toBe("-1");
    client.sendFields(["49", "1"]);
    await client.waitForFrame((fields) => fields[0] === String(OUT.CURRENT_TIME));
    expect(client.isClosed).toBe(false);
  });

  it("answers a truncated placeOrder with error 320 for that order id", async () => {
    const client = await startedRaw(7);
    client.sendFields(["3", "55", "265598", "AAPL"]);
    const error = await client.waitForFrame(isError(320));
    expect(error[2]).toBe("55");
    expect(sim.ledger().orders.some((order) => order.orderId === 55)).toBe(false);
    await expectBystanderUnaffected();
  });

  it("answers a non-numeric field with error 320", async () => {
    const client = await startedRaw(8);
    client.sendFields(["8", "1", "lots"]);
    await client.waitForFrame(isError(320));
    expect(client.isClosed).toBe(false);
  });

  it("rejects requests sent before START_API", async () => {
    const client = raw();
    await client.connected;
    client.handshake();
    await client.waitForFrame((fields) => fields.length === 2);
    client.sendFields(["61", "1"]);
    await client.waitForFrame(isError(321));
  });
});

describe("framing", () => {
  it("reassembles a handshake and messages delivered one byte at a time", async () => {
    const client = raw();
    await client.connected;
    const payload = Buffer.from("v157..178");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(payload.length);
    const bytes = Buffer.concat([Buffer.from("API\0", "latin1"), length, payload, encodeFrame(["71", "2", "11", ""]), encodeFrame(["61", "1"])]);
    for (const byte of bytes) {
      client.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await client.waitForFrame((fields) => fields[0] === String(OUT.POSITION_END));
    expect(client.frames[0]).toEqual(["178", expect.any(String)]);
  });

  it("handles several messages in one chunk", async () => {
    const client = await startedRaw(12);
    client.write(Buffer.concat([encodeFrame(["49", "1"]), encodeFrame(["17", "1"]), encodeFrame(["61", "1"])]));
    await client.waitForFrame((fields) => fields[0] === String(OUT.POSITION_END));
    const ids = client.frames.map((fields) => fields[0]);
    expect(ids.indexOf(String(OUT.CURRENT_TIME))).toBeLessThan(ids.indexOf(String(OUT.POSITION_END)));
    expect(ids).toContain(String(OUT.MANAGED_ACCTS));
  });
});
