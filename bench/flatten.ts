/**
 * Flatten speed on the simulated gateway with the real `@stoqey/ib` client:
 *   npm run bench:flatten
 * A second client opens 100 positions (50 long, 50 short) and 100 resting GTC limit orders on
 * a 100-instrument simulator that enforces the 50 messages/s rule (error 100 + disconnect).
 * The flatten service then cancels everything and closes every position. The figure is the
 * time from the trigger until the simulator's own ledger holds no position and no working
 * order, next to the lower bound the pacing rule sets: messages sent / 50 per second.
 * Target: within 1.1x of the bound, zero pacing errors.
 */
import { loadavg } from "node:os";
import pino from "pino";
import { GatewayClient } from "../lib/adapters/ibkr/gateway-client";
import { AccountView } from "../lib/services/account-view";
import { FlattenService, gatewayFlattenBroker } from "../lib/services/flatten";
import { syntheticStocks } from "../lib/sim/model/instruments";
import { startGatewaySimulator } from "../lib/sim";
import { openPositions, seedBook, workingOrders } from "../lib/services/risk-test-support";

const POSITIONS = 100;
const ORDERS = 100;
const RULE_PER_SECOND = 50;
/** The gateway client's own default rate unless BENCH_RATE overrides it. */
const CLIENT_PER_SECOND = process.env.BENCH_RATE ? Number(process.env.BENCH_RATE) : undefined;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Run {
  ms: number;
  messages: number;
  boundMs: number;
  pacingErrors: number;
  status: string;
}

async function once(): Promise<Run> {
  const instruments = syntheticStocks(POSITIONS);
  const sim = await startGatewaySimulator({ startingState: "empty", syntheticStocks: POSITIONS });
  const positions = Object.fromEntries(instruments.map((instrument, index) => [instrument.symbol, index % 2 === 0 ? 2 + (index % 3) : -(2 + (index % 3))]));
  const prices = Object.fromEntries(instruments.map((instrument) => [instrument.symbol, instrument.startPrice]));
  await seedBook(sim, { positions, extraOrders: ORDERS, prices });

  const client = new GatewayClient({ host: sim.host, port: sim.port, clientId: 1, log: pino({ level: "silent" }), timeZone: "UTC", messagesPerSecond: CLIENT_PER_SECOND });
  const view = new AccountView(() => true);
  let pacingErrors = 0;
  client.on("connection", (state) => view.setConnection(state));
  client.on("position", (position) => view.applyPosition(position));
  client.on("openOrder", (order) => view.applyOpenOrder(order));
  client.on("orderStatus", (status) => view.applyOrderStatus(status));
  client.on("notice", (notice) => {
    if (notice.code === 100) pacingErrors++;
  });
  client.on("orderError", (_id, code) => {
    if (code === 100) pacingErrors++;
  });
  const flatten = new FlattenService({ broker: gatewayFlattenBroker(client), view, audit: async () => undefined, now: Date.now, connected: () => client.ready });
  client.start();
  await until(() => client.ready && view.openPositions().length === POSITIONS && view.workingOrders().length === ORDERS, 30_000);
  // Let the start-up synchronisation leave the client's one-second window before the trigger.
  await new Promise((resolve) => setTimeout(resolve, 1_500));

  const sent = countSentMessages(client);
  const started = performance.now();
  const resultPromise = flatten.flattenAll({ actor: "bench", source: "system" });
  await until(() => openPositions(sim).length === 0 && workingOrders(sim) === 0, 60_000, 2);
  const ms = performance.now() - started;
  const result = await resultPromise;
  const messages = sent();
  await client.stop();
  await sim.stop();
  return { ms, messages, boundMs: (messages / RULE_PER_SECOND) * 1_000, pacingErrors, status: result.status };
}

/** Counts the messages the client sends to the gateway from now on (each passes the pacer once). */
function countSentMessages(client: GatewayClient): () => number {
  let sent = 0;
  const pacer = (client as unknown as { pacer: { send: (lane: string, run: () => void) => void } }).pacer;
  const original = pacer.send.bind(pacer);
  pacer.send = (lane, run) => original(lane, () => {
    sent++;
    run();
  });
  return () => sent;
}

async function until(condition: () => boolean, timeoutMs: number, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

async function main(): Promise<void> {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once());
  const [load1] = loadavg();
  console.log(`bench:flatten — ${POSITIONS} positions (50 long, 50 short) + ${ORDERS} working orders, client pacer ${CLIENT_PER_SECOND ?? "default (45)"}/s, rule ${RULE_PER_SECOND}/s`);
  for (const [index, run] of runs.entries()) {
    console.log(
      `run ${index + 1}: trigger -> simulator flat ${run.ms.toFixed(0)} ms; ${run.messages} messages, bound ${run.boundMs.toFixed(0)} ms; ratio ${(run.ms / run.boundMs).toFixed(3)}x; pacing errors ${run.pacingErrors}; result ${run.status}`,
    );
  }
  const median = [...runs].sort((a, b) => a.ms / a.boundMs - b.ms / b.boundMs)[Math.floor(runs.length / 2)];
  console.log(`median ratio ${(median.ms / median.boundMs).toFixed(3)}x (target <= 1.1x); load average (1 min) ${load1.toFixed(2)}`);
  process.exit(runs.every((run) => run.pacingErrors === 0 && run.status === "flat") ? 0 : 1);
}

void main();
