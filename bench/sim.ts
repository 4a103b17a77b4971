/**
 * Simulator throughput, measured with the real `@stoqey/ib` client:
 *   node --import tsx bench/sim.ts
 * - ticks/s: tick messages (TICK_PRICE, TICK_SIZE) one connected client receives and decodes
 * - round-trips/s: market orders, 64 in flight, each timed from placeOrder to its Filled status
 * Targets: >= 20,000 ticks/s and >= 2,000 round-trips/s. Pacing is switched off (a real client
 * would be held to 50 messages/s by IB Gateway).
 */
import { availableParallelism, loadavg } from "node:os";
import { EventName, IBApi, OrderAction, OrderType, SecType } from "@stoqey/ib";
import { startGatewaySimulator } from "../lib/sim";
import { UNIVERSE } from "../lib/sim/model/instruments";

const TICK_SECONDS = 3;
const ORDER_SECONDS = 3;
const TICK_MESSAGE_IDS = new Set(["1", "2"]);

async function connect(port: number, clientId: number): Promise<{ api: IBApi; nextId: number }> {
  // The client's own request throttle would cap orders far below the simulator's capacity.
  const api = new IBApi({ host: "127.0.0.1", port, maxReqPerSec: 1_000_000 });
  const nextId = new Promise<number>((resolve) => api.once(EventName.nextValidId, (id: number) => resolve(id)));
  api.connect(clientId);
  return { api, nextId: await nextId };
}

/** Wall-clock rate and rate per CPU-second of this process (client and simulator share it). */
interface Rate {
  perSecond: number;
  perCpuSecond: number;
}

function rateSince(count: number, startedAt: number, cpuAtStart: NodeJS.CpuUsage): Rate {
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { perSecond: (count * 1000) / (performance.now() - startedAt), perCpuSecond: count / cpuSeconds };
}

async function measureTicks(): Promise<Rate> {
  const sim = await startGatewaySimulator({ tickIntervalMs: 1, pacing: false, startingState: "empty" });
  const { api } = await connect(sim.port, 1);
  let ticks = 0;
  api.on(EventName.received, (tokens: string[]) => {
    if (TICK_MESSAGE_IDS.has(tokens[0])) ticks += 1;
  });
  UNIVERSE.forEach((instrument, index) => api.reqMktData(index + 1, { conId: instrument.conId, exchange: "SMART" }, "", false, false));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const start = ticks;
  const startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, TICK_SECONDS * 1000));
  const rate = rateSince(ticks - start, startedAt, cpuAtStart);
  api.disconnect();
  await sim.stop();
  return rate;
}

/** Keeps WINDOW orders in flight; each round trip is timed from its placeOrder to its Filled status. */
const WINDOW = 64;

async function measureRoundTrips(): Promise<Rate & { p50Ms: number; p99Ms: number }> {
  const sim = await startGatewaySimulator({ tickIntervalMs: 250, pacing: false, startingState: "empty" });
  const { api, nextId } = await connect(sim.port, 2);
  const contract = { symbol: "NVDA", secType: SecType.STK, exchange: "SMART", currency: "USD" };
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let orderId = nextId;
  const deadline = performance.now() + ORDER_SECONDS * 1000;
  const startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  const finished = new Promise<void>((resolve) => {
    const placeNext = () => {
      if (performance.now() >= deadline) {
        if (sentAt.size === 0) resolve();
        return;
      }
      const id = orderId++;
      sentAt.set(id, performance.now());
      api.placeOrder(id, contract, { action: id % 2 === 0 ? OrderAction.BUY : OrderAction.SELL, orderType: OrderType.MKT, totalQuantity: 1, transmit: true });
    };
    api.on(EventName.orderStatus, (id: number, status: string) => {
      const placedAt = sentAt.get(id);
      if (status !== "Filled" || placedAt === undefined) return;
      sentAt.delete(id);
      latencies.push(performance.now() - placedAt);
      placeNext();
    });
    for (let i = 0; i < WINDOW; i++) placeNext();
  });
  await finished;
  const rate = rateSince(latencies.length, startedAt, cpuAtStart);
  api.disconnect();
  await sim.stop();
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  return { ...rate, p50Ms: percentile(0.5), p99Ms: percentile(0.99) };
}

async function main(): Promise<void> {
  const ticks = await measureTicks();
  const orders = await measureRoundTrips();
  const format = (value: number) => Math.round(value).toLocaleString("en-US");
  console.log(`ticks/s to one client:   ${format(ticks.perSecond)} wall, ${format(ticks.perCpuSecond)} per CPU-second (target >= 20,000)`);
  console.log(
    `order round-trips/s:     ${format(orders.perSecond)} wall, ${format(orders.perCpuSecond)} per CPU-second (target >= 2,000); ` +
      `latency p50 ${orders.p50Ms.toFixed(2)} ms, p99 ${orders.p99Ms.toFixed(2)} ms with ${WINDOW} in flight`,
  );
  console.log(`load average: ${loadavg().map((value) => value.toFixed(1)).join(" ")} on ${availableParallelism()} cores`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
