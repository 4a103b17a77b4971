/**
 * A simulated gateway, a real engine connected to it through `@stoqey/ib`, and a second client
 * that opens a book of long and short positions with resting GTC brackets. Only test files and
 * the flatten benchmark import this module.
 */
import pino from "pino";
import { PrismaPg } from "@prisma/adapter-pg";
import { OrderAction, OrderType } from "@stoqey/ib";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { Engine } from "@/lib/runtime/engine";
import { startGatewaySimulator, type GatewaySimulator, type GatewaySimulatorOptions } from "@/lib/sim";
import { connectClient, disconnect, stock, type ConnectedClient } from "@/lib/sim/test-support";
import { eventually } from "@/test/eventually";
import type { AuditEvent } from "./audit";

/** The simulator's US universe with rough prices, for far-away bracket levels. */
export const SIM_SYMBOLS: Readonly<Record<string, number>> = {
  AAPL: 190,
  MSFT: 410,
  TSLA: 240,
  SPY: 520,
  NVDA: 120,
  AMZN: 180,
  GOOGL: 170,
  META: 500,
  JPM: 200,
  QQQ: 440,
};

export const ENGINE_CLIENT_ID = 1;
const SEED_CLIENT_ID = 7;

export interface Rig {
  sim: GatewaySimulator;
  engine: Engine;
  audits: AuditEvent[];
  stop(): Promise<void>;
}

export interface RigOptions {
  databaseUrl: string;
  sim?: GatewaySimulatorOptions;
  /** Audit writer; defaults to collecting into `audits`. */
  audit?: (event: AuditEvent) => Promise<void>;
  now?: () => number;
  messagesPerSecond?: number;
  /** Symbols whose prices the engine streams; none by default. */
  watchlist?: string[];
  /** The engine's API client id (ENGINE_CLIENT_ID by default; 0 also sees orders placed in TWS). */
  clientId?: number;
}

export async function startRig(options: RigOptions): Promise<Rig> {
  const sim = await startGatewaySimulator({ startingState: "empty", tickIntervalMs: 100, ...options.sim });
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: options.databaseUrl }) });
  const audits: AuditEvent[] = [];
  const engine = new Engine({
    ib: { host: sim.host, port: sim.port, clientId: options.clientId ?? ENGINE_CLIENT_ID },
    prisma,
    log: pino({ level: "silent" }),
    audit: options.audit ?? (async (event) => void audits.push(event)),
    watchlist: options.watchlist ?? [],
    tradingTimeZone: "America/New_York",
    now: options.now,
  });
  return {
    sim,
    engine,
    audits,
    async stop() {
      await engine.stop();
      await sim.stop();
      await prisma.$disconnect();
    },
  };
}

export interface BookSpec {
  /** Positions to open: symbol -> signed quantity. */
  positions: Readonly<Record<string, number>>;
  /** Put a GTC take-profit and stop (OCA) behind every position. */
  brackets?: boolean;
  /** Extra resting GTC limit orders far from the market, spread over the positions' symbols. */
  extraOrders?: number;
  /** Rough prices per symbol for far-away order levels; the simulator's universe by default. */
  prices?: Readonly<Record<string, number>>;
}

/** Opens the book from a second client, paced under 50 messages a second, and waits until the simulator holds it. */
export async function seedBook(sim: GatewaySimulator, spec: BookSpec): Promise<void> {
  const client = await connectClient(sim.port, SEED_CLIENT_ID);
  try {
    const prices = spec.prices ?? SIM_SYMBOLS;
    let orderId = client.nextValidId;
    const messages: (() => void)[] = [];
    for (const [symbol, quantity] of Object.entries(spec.positions)) {
      const price = prices[symbol] ?? 100;
      const long = quantity > 0;
      const parent = orderId++;
      const exit = long ? OrderAction.SELL : OrderAction.BUY;
      const size = Math.abs(quantity);
      messages.push(() =>
        client.api.placeOrder(parent, stock(symbol), { action: long ? OrderAction.BUY : OrderAction.SELL, orderType: OrderType.MKT, totalQuantity: size, transmit: !spec.brackets }),
      );
      if (!spec.brackets) continue;
      const target = orderId++;
      const stop = orderId++;
      const oca = { ocaGroup: `bracket-${parent}`, ocaType: 1, tif: "GTC" as const };
      messages.push(() =>
        client.api.placeOrder(target, stock(symbol), { action: exit, orderType: OrderType.LMT, lmtPrice: Math.round(long ? price * 1.5 : price * 0.6), totalQuantity: size, parentId: parent, transmit: false, ...oca } as never),
      );
      messages.push(() =>
        client.api.placeOrder(stop, stock(symbol), { action: exit, orderType: OrderType.STP, auxPrice: Math.round(long ? price * 0.6 : price * 1.5), totalQuantity: size, parentId: parent, transmit: true, ...oca } as never),
      );
    }
    const symbols = Object.keys(spec.positions);
    for (let i = 0; i < (spec.extraOrders ?? 0); i++) {
      const symbol = symbols[i % symbols.length];
      const id = orderId++;
      messages.push(() =>
        client.api.placeOrder(id, stock(symbol), { action: OrderAction.BUY, orderType: OrderType.LMT, lmtPrice: Math.round((prices[symbol] ?? 100) * 0.5), totalQuantity: 1, tif: "GTC", transmit: true } as never),
      );
    }
    await sendPaced(messages, 30);
    const seeded = () => {
      const ledger = sim.ledger();
      const held = Object.entries(spec.positions).every(([symbol, quantity]) => ledger.positions.some((p) => p.symbol === symbol && p.qty === quantity));
      return held && workingOrders(sim) >= expectedWorking(spec);
    };
    await eventually(seeded, Boolean, 30_000).catch((error: unknown) => {
      const ledger = sim.ledger();
      throw new Error(`the book was not opened: ${ledger.positions.filter((p) => p.qty !== 0).length} positions, ${workingOrders(sim)} working orders, errors ${JSON.stringify(client.errors.slice(-3))}`, { cause: error });
    });
  } finally {
    await disconnect(client as ConnectedClient);
  }
}

export function workingOrders(sim: GatewaySimulator): number {
  return sim.ledger().orders.filter((order) => ["Submitted", "PreSubmitted", "PendingSubmit"].includes(order.status)).length;
}

export function openPositions(sim: GatewaySimulator): { symbol: string; qty: number }[] {
  return sim.ledger().positions.filter((position) => position.qty !== 0).map(({ symbol, qty }) => ({ symbol, qty }));
}

function expectedWorking(spec: BookSpec): number {
  return (spec.brackets ? Object.keys(spec.positions).length * 2 : 0) + (spec.extraOrders ?? 0);
}

async function sendPaced(messages: readonly (() => void)[], perSecond: number): Promise<void> {
  for (let i = 0; i < messages.length; i += perSecond) {
    for (const send of messages.slice(i, i + perSecond)) send();
    if (i + perSecond < messages.length) await new Promise((resolve) => setTimeout(resolve, 1_050));
  }
}
