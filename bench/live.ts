/**
 * Tick-to-order latency of the live path, measured on the wire:
 *   npm run bench:live
 * A simulated gateway on loopback streams 100 symbols, 10 market steps a second each. One
 * client (GatewayClient + IbkrMarketData + IbkrBroker, the real `@stoqey/ib` underneath) runs a
 * core TradingEngine per symbol with a strategy that trades on every Nth print. The latency is
 * from the moment the bytes carrying the deciding print arrive at the client socket (its 'data'
 * event) to the moment the placeOrder bytes are written to it.
 * Target: p99 <= 1 ms. The simulator runs in a worker thread, so its market steps do not hold
 * up the client's event loop (as a real gateway, a separate process, would not).
 *
 * The client runs as the server does with KESTREL_BUSY_POLL=true: its thread polls instead of
 * sleeping between reads, so no print waits for the CPU (a virtual machine's vCPU above all) to
 * wake up; BENCH_BUSY_POLL=0 measures the default sleeping loop. The figures include the client
 * thread's CPU share, the price of polling.
 *
 * BENCH_STEP_SLICES (default 10) spreads each 100 ms market step over that many slices of the
 * universe, as a real feed's prints for 100 symbols arrive spread out rather than in one burst;
 * BENCH_STEP_SLICES=1 moves all 100 symbols at the same instant, so a deciding print may wait
 * behind up to 100 symbols' frames decoded from the same socket read.
 */
import { readFileSync } from "node:fs";
import net from "node:net";
import { availableParallelism, loadavg } from "node:os";
import { Worker, isMainThread, parentPort } from "node:worker_threads";
import pino from "pino";
import { TradingEngine } from "../lib/core/engine/engine";
import { perShareCommission } from "../lib/core/model/commission";
import { defineInstrument } from "../lib/core/model/instrument";
import { Portfolio } from "../lib/core/model/portfolio";
import type { Strategy } from "../lib/core/strategies/types";
import { GatewayClient } from "../lib/adapters/ibkr/gateway-client";
import { IbkrBroker } from "../lib/adapters/ibkr/broker-port";
import { IbkrMarketData } from "../lib/adapters/ibkr/market-data";
import { scopedBroker } from "../lib/services/strategy-runner";
import { startBusyPoll } from "../lib/runtime/busy-poll";
import { startGatewaySimulator } from "../lib/sim";
import { syntheticStocks } from "../lib/sim/model/instruments";

const SYMBOLS = 100;
const STEP_MS = 100;
/** Every Nth print of a symbol trades: about 1,000 prints/s / 60 = 17 orders/s, under the 45/s pacer. */
const EVERY_NTH = 60;
const WARM_UP_MS = 3_000;
const MEASURE_MS = Number(process.env.BENCH_SECONDS ?? 30) * 1000;
const STEP_SLICES = Number(process.env.BENCH_STEP_SLICES ?? 10);
const BUSY_POLL = process.env.BENCH_BUSY_POLL !== "0";

/** The simulator with 100 extra stocks and no pacing (the client's own pacer keeps it under 45/s). */
function startBenchGateway() {
  return startGatewaySimulator({ startingState: "empty", syntheticStocks: SYMBOLS, tickIntervalMs: STEP_MS, marketStepSlices: STEP_SLICES, pacing: false });
}

/**
 * Alternates entering and exiting at market on every Nth print across all symbols (a count per
 * symbol would make all 100 decide on the same market step, a burst the 45/s pacer must queue).
 */
let printsSeen = 0;
function everyNthPrint(): Strategy {
  return {
    name: "every-nth-print",
    onBar: () => undefined,
    onTick(_tick, context) {
      if (++printsSeen % EVERY_NTH !== 0 || context.entryPending) return;
      context.submit(context.position === 0 ? { kind: "enter", direction: "long", reason: "bench" } : { kind: "exit", reason: "bench" });
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * CPU milliseconds of the client's (main) thread so far, from Linux's schedstat (the main
 * thread's id is the process id); the simulator's worker thread is not counted. NaN elsewhere.
 */
function threadCpuMs(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

/** Starts the simulator in a worker thread; resolves with its port and a way to stop it. */
function gatewayInWorker(): Promise<{ port: number; stop: () => Promise<void> }> {
  // Worker threads do not inherit the TypeScript loader: the worker registers it, then loads this file.
  const tsx = import.meta.resolve("tsx/esm/api");
  const loader = `import { tsImport } from ${JSON.stringify(tsx)}; await tsImport(${JSON.stringify(import.meta.url)}, ${JSON.stringify(import.meta.url)});`;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(loader)}`));
  return new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", (port: number) => resolve({ port, stop: () => worker.terminate().then(() => undefined) }));
  });
}

async function main(): Promise<void> {
  const gateway = await gatewayInWorker();
  const log = pino({ level: "silent" });

  // The wire hooks: when the bytes of the print being handled arrived, and when order bytes leave.
  let arrivalOfCurrentChunk = NaN;
  const decisions: { arrived: number; decided: number }[] = [];
  const latencies: number[] = [];
  const afterDecision: number[] = [];
  let measuring = false;
  const isClientSocket = (socket: net.Socket) => socket.remotePort === gateway.port;
  const originalEmit = net.Socket.prototype.emit;
  net.Socket.prototype.emit = function (this: net.Socket, event: string | symbol, ...args: unknown[]) {
    if (event === "data" && isClientSocket(this)) arrivalOfCurrentChunk = performance.now();
    return (originalEmit as (...all: unknown[]) => boolean).call(this, event, ...args);
  } as typeof originalEmit;
  const originalWrite = net.Socket.prototype.write;
  net.Socket.prototype.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
    const left = performance.now();
    // A placeOrder frame: 4-byte length, then message id 3 and a NUL.
    if (isClientSocket(this) && Buffer.isBuffer(chunk) && chunk.length > 6 && chunk[4] === 0x33 && chunk[5] === 0 && decisions.length > 0) {
      const { arrived, decided } = decisions.shift()!;
      if (measuring) {
        latencies.push(left - arrived);
        afterDecision.push(left - decided);
      }
    }
    return (originalWrite as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof originalWrite;

  const stopBusyPoll = BUSY_POLL ? startBusyPoll() : () => undefined;
  const client = new GatewayClient({ host: "127.0.0.1", port: gateway.port, clientId: 1, log });
  client.start();
  while (!client.ready) await new Promise((resolve) => setTimeout(resolve, 20));
  const clock = { now: () => Date.now() };
  const marketData = new IbkrMarketData(client, clock);
  const broker = new IbkrBroker({ gateway: client, log, orderRefOf: (request) => `bench/${request.parentId ?? request.id}` });
  let prints = 0;
  for (const instrument of syntheticStocks(SYMBOLS)) {
    const engine = new TradingEngine({
      instrument: defineInstrument({ symbol: instrument.symbol }),
      strategy: everyNthPrint(),
      broker: scopedBroker(broker),
      portfolio: new Portfolio(1_000_000),
      clock,
      sizing: { kind: "fixed", quantity: 10 },
      commission: perShareCommission(),
      // The engine announces each order just before handing it to the broker port.
      events: {
        emit: (event) => {
          if (event.type === "order") decisions.push({ arrived: arrivalOfCurrentChunk, decided: performance.now() });
        },
      },
    });
    engine.start();
    marketData.subscribeTicks(instrument.symbol, (tick) => {
      prints++;
      engine.onTick(tick);
    });
  }

  await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
  measuring = true;
  const printsAtStart = prints;
  const started = performance.now();
  const cpuAtStart = threadCpuMs();
  await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
  measuring = false;
  const seconds = (performance.now() - started) / 1000;
  const clientThreadCpuShare = (threadCpuMs() - cpuAtStart) / 1000 / seconds;
  const printsPerSecond = (prints - printsAtStart) / seconds;

  const sorted = [...latencies].sort((a, b) => a - b);
  const sortedAfterDecision = [...afterDecision].sort((a, b) => a - b);
  const figures = {
    symbols: SYMBOLS,
    marketStepSlices: STEP_SLICES,
    printsPerSecond: Math.round(printsPerSecond),
    orders: sorted.length,
    p50Ms: +percentile(sorted, 50).toFixed(3),
    p99Ms: +percentile(sorted, 99).toFixed(3),
    maxMs: +sorted[sorted.length - 1].toFixed(3),
    target: "p99 <= 1 ms",
    busyPoll: BUSY_POLL,
    clientThreadCpuPercent: +(clientThreadCpuShare * 100).toFixed(1),
    decisionToWire: { p50Ms: +percentile(sortedAfterDecision, 50).toFixed(3), p99Ms: +percentile(sortedAfterDecision, 99).toFixed(3) },
    loadAverage1m: +loadavg()[0].toFixed(2),
    cpus: availableParallelism(),
    node: process.version,
  };
  console.log(JSON.stringify(figures, null, 2));

  stopBusyPoll();
  marketData.dispose();
  broker.dispose();
  await client.stop();
  await gateway.stop();
  net.Socket.prototype.emit = originalEmit;
  net.Socket.prototype.write = originalWrite;
}

if (!isMainThread) {
  void startBenchGateway().then((gateway) => parentPort!.postMessage(gateway.port));
} else {
  void main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
