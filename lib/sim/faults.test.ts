/** Fault scenarios, in-process and through the admin endpoint, observed by the real client. */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EventName, OrderAction, OrderType, type Contract, type Execution } from "@stoqey/ib";
import { startGatewaySimulator, type GatewaySimulator } from "./index";
import { collectUntil, connectClient, disconnect, eventually, RawClient, stock, waitForEvent, type ConnectedClient } from "./test-support";

type OrderStatusArgs = [number, string, number];

let sim: GatewaySimulator;
const clients: ConnectedClient[] = [];

async function connect(clientId: number): Promise<ConnectedClient> {
  const client = await connectClient(sim.port, clientId);
  clients.push(client);
  return client;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map(disconnect));
  await sim.stop();
});

const infoCodes = (client: ConnectedClient) => client.errors.filter(([id]) => id === -1).map(([, code]) => code);

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("connectivity loss", () => {
  it("sends 1100 and broken farms, pauses ticks, then 1102 and healthy farms", async () => {
    sim = await startGatewaySimulator({ tickIntervalMs: 10 });
    const client = await connect(1);
    let ticks = 0;
    client.api.on(EventName.tickPrice, () => (ticks += 1));
    client.api.reqMktData(1, stock("AAPL"), "", false, false);
    await eventually(() => expect(ticks).toBeGreaterThan(5));

    const restored = sim.faults.connectivityLoss({ durationMs: 300 });
    await eventually(() => expect(infoCodes(client)).toEqual(expect.arrayContaining([1100, 2103, 2105])));
    const duringOutage = ticks;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(ticks).toBe(duringOutage);
    await restored;
    await eventually(() => expect(infoCodes(client)).toEqual(expect.arrayContaining([1102])));
    await eventually(() => expect(ticks).toBeGreaterThan(duringOutage + 5));
  });

  it("with data lost, sends 1101 and streams nothing until the client subscribes again", async () => {
    sim = await startGatewaySimulator({ tickIntervalMs: 10 });
    const client = await connect(1);
    let ticks = 0;
    client.api.on(EventName.tickPrice, () => (ticks += 1));
    client.api.reqMktData(1, stock("MSFT"), "", false, false);
    await eventually(() => expect(ticks).toBeGreaterThan(5));
    await sim.faults.connectivityLoss({ durationMs: 100, dataLost: true });
    await eventually(() => expect(infoCodes(client)).toContain(1101));
    const afterRestore = ticks;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ticks).toBe(afterRestore);
    client.api.reqMktData(2, stock("MSFT"), "", false, false);
    await eventually(() => expect(ticks).toBeGreaterThan(afterRestore + 5));
  });
});

describe("nightly restart", () => {
  it("closes every socket, refuses connections, keeps filling resting orders, then accepts clients again", async () => {
    sim = await startGatewaySimulator({ tickIntervalMs: 60_000 });
    const client = await connect(1);
    sim.setPrice("AAPL", 200);
    const orderId = client.nextValidId;
    const resting = waitForEvent<OrderStatusArgs>(client.api, EventName.orderStatus, (id, s) => id === orderId && s === "Submitted");
    client.api.placeOrder(orderId, stock("AAPL"), { action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: 190, totalQuantity: 10, tif: "GTC", transmit: true });
    await resting;

    const dropped = waitForEvent(client.api, EventName.disconnected);
    const restarted = sim.faults.nightlyRestart({ downMs: 400 });
    await dropped;
    expect(await refusesConnections(sim.port)).toBe(true);
    sim.setPrice("AAPL", 189.9);
    await restarted;

    const again = await connect(1);
    const executions = collectUntil<[number, Contract, Execution]>(again.api, EventName.execDetails, EventName.execDetailsEnd);
    again.api.reqExecutions(1, {});
    expect((await executions).map(([, , exec]) => exec.orderId)).toContain(orderId);
    const open = collectUntil<[number]>(again.api, EventName.openOrder, EventName.openOrderEnd);
    again.api.reqAllOpenOrders();
    expect((await open).map(([id]) => id)).not.toContain(orderId);
  });
});

describe("single faults", () => {
  it("drops one client's socket and leaves the others connected", async () => {
    sim = await startGatewaySimulator();
    const victim = await connect(1);
    const bystander = await connect(2);
    const dropped = waitForEvent(victim.api, EventName.disconnected);
    expect(sim.faults.dropSocket(1)).toBe(1);
    await dropped;
    const time = waitForEvent(bystander.api, EventName.currentTime);
    bystander.api.reqCurrentTime();
    await time;
  });

  it("rejects the next order with 201, then accepts the one after", async () => {
    sim = await startGatewaySimulator({ tickIntervalMs: 60_000 });
    const client = await connect(1);
    sim.faults.rejectNextOrder();
    const first = client.nextValidId;
    const rejected = waitForEvent(client.api, EventName.error, (_e: Error, code: number, id: number) => code === 201 && id === first);
    client.api.placeOrder(first, stock("AAPL"), { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 1, transmit: true });
    await rejected;
    const filled = waitForEvent<OrderStatusArgs>(client.api, EventName.orderStatus, (id, s) => id === first + 1 && s === "Filled");
    client.api.placeOrder(first + 1, stock("AAPL"), { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 1, transmit: true });
    await filled;
    expect(sim.ledger().orders.find((o) => o.orderId === first)?.status).toBe("Inactive");
  });

  it("delays fills: a market order stays Submitted until the delay has passed", async () => {
    sim = await startGatewaySimulator({ tickIntervalMs: 20 });
    const client = await connect(1);
    sim.faults.delayFills(400);
    const orderId = client.nextValidId;
    const placedAt = Date.now();
    const filled = waitForEvent<OrderStatusArgs>(client.api, EventName.orderStatus, (id, s) => id === orderId && s === "Filled");
    client.api.placeOrder(orderId, stock("MSFT"), { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 1, transmit: true });
    await filled;
    expect(Date.now() - placedAt).toBeGreaterThanOrEqual(380);
  });

  it("refuses a 33rd client with 326", async () => {
    sim = await startGatewaySimulator();
    const raws: RawClient[] = [];
    try {
      for (let clientId = 0; clientId <= 32; clientId++) {
        const raw = new RawClient(sim.port);
        raws.push(raw);
        await raw.connected;
        raw.handshake();
        await raw.waitForFrame((fields) => fields.length === 2);
        raw.sendFields(["71", "2", String(clientId), ""]);
        await raw.waitForFrame((fields) => fields[0] === "9" || fields[0] === "4");
      }
      const last = raws[32];
      const refusal = await last.waitForFrame((fields) => fields[0] === "4" && fields[3] === "326");
      expect(refusal[2]).toBe("-1");
      await last.closed;
      expect(raws.slice(0, 32).every((raw) => !raw.isClosed)).toBe(true);
    } finally {
      for (const raw of raws) raw.destroy();
    }
  });
});

describe("admin endpoint", () => {
  it("serves the ledger and triggers scenarios on localhost, validating bodies", async () => {
    sim = await startGatewaySimulator({ adminPort: 0, tickIntervalMs: 60_000 });
    expect(sim.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ledger = await fetch(`${sim.adminUrl}/ledger`).then((response) => response.json());
    expect(ledger).toEqual(JSON.parse(JSON.stringify(sim.ledger())));

    const bad = await fetch(`${sim.adminUrl}/scenarios/delay-fills`, { method: "POST", body: JSON.stringify({ delayMs: "soon" }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/delayMs/);

    const price = await fetch(`${sim.adminUrl}/market/price`, { method: "POST", body: JSON.stringify({ symbol: "TSLA", price: 123.45 }) });
    expect(price.status).toBe(200);
    expect((await fetch(`${sim.adminUrl}/nope`)).status).toBe(404);
    expect((await fetch(`${sim.adminUrl}/scenarios/restart`)).status).toBe(405);

    const client = await connect(4);
    const arm = await fetch(`${sim.adminUrl}/scenarios/reject-next-order`, { method: "POST", body: "{}" });
    expect(arm.status).toBe(200);
    const orderId = client.nextValidId;
    const rejected = waitForEvent(client.api, EventName.error, (_e: Error, code: number, id: number) => code === 201 && id === orderId);
    client.api.placeOrder(orderId, stock("TSLA"), { action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 1, transmit: true });
    await rejected;
  });
});
