/**
 * A chaos session against the simulator on an accelerated clock: orders through the engine
 * while sockets drop, connectivity comes and goes (1100 -> 1101/1102), the gateway restarts
 * nightly with fills during the outage, orders are rejected and fill partially. Then every
 * record is checked against the simulator's ledger. Used by test/live/chaos-soak.test.ts and
 * `npm run soak`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import pino, { type Logger } from "pino";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { startGatewaySimulator, type GatewaySimulator, type SimLedger } from "@/lib/sim";
import { acceleratedClock } from "@/lib/sim/model/clock";
import { Engine } from "@/lib/runtime/engine";
import { wallTimeAt } from "@/lib/core/time/zoned-time";
import { isWorking } from "./sim-orders";
import { mulberry32 } from "@/lib/core/random";

export interface ChaosOptions {
  databaseUrl: string;
  /** Simulated trading days (calendar days of 24 h from a Monday 09:30 New York). */
  days: number;
  /** Simulated milliseconds per real millisecond. */
  speed: number;
  seed: number;
  log?: Logger;
}

export interface ChaosReport {
  simulatedDays: number;
  realSeconds: number;
  decisions: number;
  resentDecisions: number;
  refusedWhileReconnecting: number;
  faults: { socketDrops: number; connectivityLosses: number; restarts: number; rejections: number };
  orders: number;
  executions: number;
  reconciles: number;
  heapMb: { start: number; middle: number; end: number };
  problems: string[];
}

const START = Date.parse("2026-11-16T14:30:00Z");
const SYMBOLS = ["SPY", "AAPL", "MSFT", "NVDA", "QQQ"];
const STEP_MS = 120;

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? pino({ level: "silent" });
  const random = mulberry32(options.seed);
  const clock = acceleratedClock(START, options.speed);
  const sim = await startGatewaySimulator({ seed: options.seed, startingState: "empty", clock, tickIntervalMs: 40 });
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: options.databaseUrl }) });
  const dataDir = mkdtempSync(path.join(tmpdir(), "kestrel-chaos-"));
  const engine = new Engine({
    ib: { host: sim.host, port: sim.port, clientId: 1 },
    prisma,
    log,
    audit: async () => undefined,
    watchlist: SYMBOLS,
    tradingTimeZone: "America/New_York",
    mode: "paper",
    dataDir,
    reconnectDelaysMs: { initial: 50, max: 1_000 },
    now: () => clock.now(),
  });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  const fillsSeen = new Map<string, number>();
  engine.onFill((execution) => fillsSeen.set(execution.execId, (fillsSeen.get(execution.execId) ?? 0) + 1));
  let reconciles = 0;
  engine.onReconciled(() => reconciles++);

  const report: ChaosReport = {
    simulatedDays: options.days,
    realSeconds: 0,
    decisions: 0,
    resentDecisions: 0,
    refusedWhileReconnecting: 0,
    faults: { socketDrops: 0, connectivityLosses: 0, restarts: 0, rejections: 0 },
    orders: 0,
    executions: 0,
    reconciles: 0,
    heapMb: { start: 0, middle: 0, end: 0 },
    problems: [],
  };
  const started = Date.now();
  const end = START + options.days * 86_400_000;
  const sent: string[] = [];
  try {
    engine.start();
    await until(() => engine.health().ready, 15_000, "the first reconcile");
    report.heapMb.start = heapAfterGc();
    let restartedDay = dayOf(clock.now());
    let middleTaken = false;
    while (clock.now() < end) {
      const day = dayOf(clock.now());
      if (day !== restartedDay && wallTimeAt(clock.now(), "America/New_York").hour < 6) {
        restartedDay = day;
        await nightlyRestartWithFills(sim, engine, random, report, sent);
      } else {
        await randomStep(sim, engine, random, report, sent);
      }
      if (!middleTaken && clock.now() > START + (end - START) / 2) {
        middleTaken = true;
        report.heapMb.middle = heapAfterGc();
      }
      await sleep(STEP_MS);
    }
    await until(() => engine.health().ready, 30_000, "the final reconcile");
    await until(() => sim.ledger().orders.every((order) => !isWorking(order)), 30_000, "every order to finish");
    const ledger = sim.ledger();
    await until(async () => {
      await engine.persisted();
      return (await prisma.commission.count()) === ledger.commissions.length && (await prisma.execution.count()) === ledger.executions.length;
    }, 30_000, async () => `the journal to hold every execution and commission (${await prisma.execution.count()}/${ledger.executions.length} executions, ${await prisma.commission.count()}/${ledger.commissions.length} commissions)`);
    report.problems.push(...(await checkAgainstLedger(prisma, ledger, fillsSeen)));
    report.heapMb.end = heapAfterGc();
    if (unhandled.length > 0) report.problems.push(`${unhandled.length} unhandled promise rejection(s): ${String(unhandled[0])}`);
    report.orders = ledger.orders.length;
    report.executions = ledger.executions.length;
    report.reconciles = reconciles;
    return report;
  } finally {
    report.realSeconds = Math.round((Date.now() - started) / 100) / 10;
    process.off("unhandledRejection", onUnhandled);
    await engine.stop();
    await sim.stop();
    await prisma.$disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  }
}


async function randomStep(sim: GatewaySimulator, engine: Engine, random: () => number, report: ChaosReport, sent: string[]): Promise<void> {
  const roll = random();
  if (roll < 0.55) await decide(engine, random, report, sent);
  else if (roll < 0.62 && sent.length > 0) await resend(engine, random, report, sent);
  else if (roll < 0.65) {
    report.faults.socketDrops += sim.faults.dropSocket();
  } else if (roll < 0.68) {
    report.faults.connectivityLosses++;
    void sim.faults.connectivityLoss({ durationMs: 250, dataLost: random() < 0.5 });
  } else if (roll < 0.71) {
    report.faults.rejections++;
    sim.faults.rejectNextOrder();
  }
}

/** Orders that cannot fill for a while, then the gateway goes down: they fill during the outage. */
async function nightlyRestartWithFills(sim: GatewaySimulator, engine: Engine, random: () => number, report: ChaosReport, sent: string[]): Promise<void> {
  sim.faults.delayFills(10 * 60_000);
  for (let i = 0; i < 3; i++) await decide(engine, random, report, sent);
  report.faults.restarts++;
  await sim.faults.nightlyRestart({ downMs: 1_200 });
}

async function decide(engine: Engine, random: () => number, report: ChaosReport, sent: string[]): Promise<void> {
  const decisionId = `chaos-${report.decisions + report.refusedWhileReconnecting}-${Math.floor(random() * 1e6)}`;
  const intent = {
    decisionId,
    symbol: SYMBOLS[Math.floor(random() * SYMBOLS.length)]!,
    side: random() < 0.5 ? ("BUY" as const) : ("SELL" as const),
    // Above the displayed size now and then, so fills come in parts.
    quantity: random() < 0.2 ? 400 + Math.floor(random() * 600) : 1 + Math.floor(random() * 50),
  };
  try {
    const result = await engine.sendDecision(intent);
    if (!result.alreadySent) {
      report.decisions++;
      sent.push(decisionId);
      if (sent.length > 200) sent.shift();
    }
  } catch {
    report.refusedWhileReconnecting++;
  }
}

/** Sends an already-sent decision again, as a replay after a crash would: nothing may go out. */
async function resend(engine: Engine, random: () => number, report: ChaosReport, sent: string[]): Promise<void> {
  const decisionId = sent[Math.floor(random() * sent.length)]!;
  try {
    const result = await engine.sendDecision({ decisionId, symbol: "SPY", side: "BUY", quantity: 1 });
    if (!result.alreadySent) report.problems.push(`decision ${decisionId} was sent a second time`);
    report.resentDecisions++;
  } catch {
    report.refusedWhileReconnecting++;
  }
}

export async function checkAgainstLedger(prisma: PrismaClient, ledger: SimLedger, fillsSeen: Map<string, number>): Promise<string[]> {
  const problems: string[] = [];
  const ids = ledger.orders.map((order) => `${order.clientId}/${order.orderId}`);
  if (new Set(ids).size !== ids.length) problems.push("an order id was used twice");
  const refs = ledger.orders.map((order) => order.orderRef).filter((ref) => ref.startsWith("k1:"));
  if (new Set(refs).size !== refs.length) problems.push("a decision's order (orderRef) was sent twice");

  const executions = await prisma.execution.findMany({ select: { execId: true, symbol: true, side: true, shares: true, price: true } });
  const commissions = new Map((await prisma.commission.findMany()).map((row) => [row.execId, Number(row.commission)]));
  const ledgerIds = new Set(ledger.executions.map((execution) => execution.execId));
  if (executions.length !== ledger.executions.length || executions.some((row) => !ledgerIds.has(row.execId))) {
    problems.push(`executions differ: ${executions.length} in Postgres, ${ledger.executions.length} in the ledger`);
  }
  for (const commission of ledger.commissions) {
    const stored = commissions.get(commission.execId);
    if (stored === undefined || Math.abs(stored - commission.amount) > 1e-6) problems.push(`commission of ${commission.execId} missing or different`);
  }
  for (const execution of ledger.executions) {
    const count = fillsSeen.get(execution.execId) ?? 0;
    if (count !== 1) problems.push(`fill ${execution.execId} reached the strategy ${count} times`);
  }

  const positions = new Map<string, number>();
  let cash = 100_000;
  for (const row of executions) {
    const signed = row.side === "BUY" ? Number(row.shares) : -Number(row.shares);
    positions.set(row.symbol, (positions.get(row.symbol) ?? 0) + signed);
    cash -= signed * Number(row.price);
  }
  for (const amount of commissions.values()) cash -= amount;
  for (const position of ledger.positions) {
    if ((positions.get(position.symbol) ?? 0) !== position.qty) problems.push(`position ${position.symbol}: ${positions.get(position.symbol) ?? 0} in Postgres, ${position.qty} at the broker`);
  }
  if (Math.abs(cash - ledger.cash) > 0.01) problems.push(`cash ${cash.toFixed(2)} from Postgres, ${ledger.cash.toFixed(2)} at the broker`);
  return problems;
}

let collect: (() => void) | null = null;

/** heapUsed in MB after a full collection. */
export function heapAfterGc(): number {
  if (!collect) {
    v8.setFlagsFromString("--expose-gc");
    collect = vm.runInNewContext("gc") as () => void;
  }
  collect();
  collect();
  return Math.round((process.memoryUsage().heapUsed / 1_048_576) * 10) / 10;
}

function dayOf(instant: number): string {
  const wall = wallTimeAt(instant, "America/New_York");
  return `${wall.year}-${wall.month}-${wall.day}`;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string | (() => Promise<string>)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === "string" ? what : await what()}`);
    await sleep(50);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
