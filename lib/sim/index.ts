/**
 * A protocol-level IB Gateway simulator: a TCP server speaking the TWS socket API, backed
 * by a simulated exchange and account. Real clients (`@stoqey/ib`, ib_async) connect to it
 * exactly as they would to IB Gateway.
 */
import { z } from "zod";
import { readFileSync } from "node:fs";
import path from "node:path";
import { acceleratedClock, realTimeClock, type SimClock } from "./model/clock";
import { Exchange } from "./model/exchange";
import { InstrumentCatalog, syntheticStocks, UNIVERSE, type Instrument } from "./model/instruments";
import { parseOhlcvCsv, ReplayTrack } from "./model/replay";
import type { SimLedger } from "./model/ledger";
import { startAdminServer } from "./server/admin-server";
import { TcpListener } from "./server/tcp-listener";
import { FaultController } from "./session/faults";
import { GatewayHub } from "./session/gateway-hub";
import { HistoricalDataService } from "./session/historical-data";

export type { FaultController, ConnectivityLossOptions, RestartOptions } from "./session/faults";
export type { SimClock } from "./model/clock";
export type { SimLedger, LedgerCommission, LedgerExecution, LedgerOrder, LedgerPosition } from "./model/ledger";

export interface GatewaySimulatorOptions {
  /** Default "127.0.0.1"; anything but loopback is refused unless `allowNonLoopback`. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 7: the same seed gives the same prices, ids and demo account. */
  seed?: number;
  /** Default "DU1234567". */
  account?: string;
  /** "demo" (default): open long and short positions and resting limit orders; "empty": cash only. */
  startingState?: "demo" | "empty";
  /** How often the market moves and subscribed symbols tick, in real milliseconds (default 250). */
  tickIntervalMs?: number;
  /**
   * Spread each market step over the interval in this many slices of the universe (default 1:
   * every symbol moves at the same instant). Real feeds do not deliver a wide book's prints in one
   * burst; slices model that while each symbol still ticks once per interval.
   */
  marketStepSlices?: number;
  /** Listen on a non-loopback address (the API socket is unauthenticated: think twice). */
  allowNonLoopback?: boolean;
  /** Reject market orders outside regular hours without outsideRth (default false: always open). */
  enforceTradingHours?: boolean;
  /** Simulated time source; real time by default (or accelerated by `speed`). */
  clock?: SimClock;
  /** Run simulated time this many times faster than real time, from now (default 1). */
  speed?: number;
  /**
   * Replay an OHLCV CSV (`[symbol,]time,open,high,low,close,volume`) instead of the random walk
   * for the symbols it contains; simulated time then starts at the first bar and runs at `speed`.
   */
  dataFile?: string;
  /** Serve the localhost-only admin HTTP endpoint on this port (0 = ephemeral). */
  adminPort?: number;
  /** Enforce IBKR pacing: 50 messages/s per client (error 100 + disconnect) and historical data rules (162). Default true. */
  pacing?: boolean;
  /** false: no live market-data subscription, so live requests get delayed data with 10167. Default true. */
  marketDataEntitled?: boolean;
  /** Add this many made-up US stocks (SYN001, ...) to the universe, for wide books. Default 0. */
  syntheticStocks?: number;
}

export interface GatewaySimulator {
  readonly host: string;
  readonly port: number;
  readonly account: string;
  /** Base URL of the admin endpoint when `adminPort` was given. */
  readonly adminUrl?: string;
  /** The simulator's own truth: orders, executions, commissions, positions, cash. */
  ledger(): SimLedger;
  /** Fault scenarios: connectivity loss, nightly restart, dropped socket, rejected order, delayed fills. */
  readonly faults: FaultController;
  /** Moves a symbol's market so that it trades at `price` (on its tick grid), then matches orders. */
  setPrice(symbol: string, price: number): void;
  /** Closes every socket and timer; resolves when fully stopped. */
  stop(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);

export const simulatorOptionsSchema = z.object({
  host: z.string().min(1).default("127.0.0.1"),
  port: z.number().int().min(0).max(65535).default(0),
  seed: z.number().int().default(7),
  account: z
    .string()
    .regex(/^[A-Z]{1,3}\d{4,10}$/, "account must look like an IBKR account id, e.g. DU1234567")
    .default("DU1234567"),
  startingState: z.enum(["demo", "empty"]).default("demo"),
  tickIntervalMs: z.number().int().min(1).max(60_000).default(250),
  marketStepSlices: z.number().int().min(1).max(1_000).default(1),
  allowNonLoopback: z.boolean().default(false),
  enforceTradingHours: z.boolean().default(false),
  speed: z.number().positive().max(100_000).default(1),
  dataFile: z.string().min(1).optional(),
  adminPort: z.number().int().min(0).max(65535).optional(),
  pacing: z.boolean().default(true),
  marketDataEntitled: z.boolean().default(true),
  syntheticStocks: z.number().int().min(0).max(10_000).default(0),
});

function parseOptions(options: GatewaySimulatorOptions) {
  const { clock, ...rest } = options;
  const parsed = simulatorOptionsSchema.safeParse(rest);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "options"}: ${issue.message}`);
    throw new Error(`Invalid simulator options: ${problems.join("; ")}`);
  }
  if (!parsed.data.allowNonLoopback && !LOOPBACK_HOSTS.has(parsed.data.host)) {
    throw new Error(`Invalid simulator options: host: refusing to listen on non-loopback address "${parsed.data.host}" without allowNonLoopback`);
  }
  const replay = parsed.data.dataFile === undefined ? undefined : loadReplay(parsed.data.dataFile);
  const speed = parsed.data.speed;
  const start = replay ? Math.min(...[...replay.values()].map((track) => track.start)) : Date.now();
  const defaultClock = speed === 1 && !replay ? realTimeClock() : acceleratedClock(start, speed);
  return { ...parsed.data, replay, clock: clock ?? defaultClock };
}

/** Reads the OHLCV CSV; rows without a symbol column belong to the symbol named by the file (e.g. SPY.csv). */
function loadReplay(file: string): Map<number, ReplayTrack> {
  const catalog = new InstrumentCatalog();
  const stem = path.basename(file).replace(/\.[^.]*$/, "").toUpperCase();
  const rows = parseOhlcvCsv(readFileSync(file, "utf8"), file, catalog.resolve({ symbol: stem }) ? stem : undefined);
  const tracks = new Map<number, ReplayTrack>();
  for (const symbol of new Set(rows.map((row) => row.symbol))) {
    const symbolRows = rows.filter((row) => row.symbol === symbol);
    const instrument = catalog.resolve({ symbol });
    if (!instrument) throw new Error(`Invalid simulator options: dataFile: ${file} has bars for ${symbol}, which is not in the simulator's universe`);
    tracks.set(instrument.conId, new ReplayTrack(symbolRows));
  }
  return tracks;
}

export async function startGatewaySimulator(options: GatewaySimulatorOptions = {}): Promise<GatewaySimulator> {
  const config = parseOptions(options);
  const exchange = new Exchange({
    accountId: config.account,
    seed: config.seed,
    clock: config.clock,
    startingState: config.startingState,
    enforceTradingHours: config.enforceTradingHours,
    replay: config.replay,
    catalog: new InstrumentCatalog([...UNIVERSE, ...syntheticStocks(config.syntheticStocks)]),
  });
  const now = () => config.clock.now();
  const replayedBars = { barsFor: (instrument: Instrument) => config.replay?.get(instrument.conId)?.bars };
  const history = new HistoricalDataService(exchange, config.seed, now, () => config.pacing, replayedBars);
  const hub = new GatewayHub(exchange, config.account, now, history, config.pacing, config.marketDataEntitled);
  exchange.addListener(hub);
  const listener = new TcpListener(config.host, (socket) => hub.accept(socket));
  await listener.open(config.port);
  const faults = new FaultController(hub, exchange, listener);
  const marketTimer = startMarketSteps(exchange, config.tickIntervalMs, config.marketStepSlices);
  const setPrice = (symbol: string, price: number) => {
    const instrument = exchange.catalog.resolve({ symbol });
    if (!instrument) throw new Error(`unknown symbol ${symbol}`);
    exchange.setPrice(instrument, price);
  };
  const admin =
    config.adminPort === undefined
      ? undefined
      : await startAdminServer(
          {
            ledger: () => exchange.ledger(),
            faults,
            setPrice,
            health: () => ({ ok: true, apiPort: listener.port, listening: listener.listening, outage: faults.inOutage }),
          },
          config.adminPort,
        );

  let stopping: Promise<void> | null = null;
  return {
    host: config.host,
    port: listener.port,
    account: config.account,
    adminUrl: admin?.url,
    faults,
    ledger: () => exchange.ledger(),
    setPrice,
    stop() {
      stopping ??= (async () => {
        clearInterval(marketTimer);
        faults.cancelTimers();
        hub.closeAll();
        await Promise.all([listener.close(), admin?.close()]);
      })();
      return stopping;
    },
  };
}

/** Moves the market every interval, one slice of the universe at a time when there are several. */
function startMarketSteps(exchange: Exchange, intervalMs: number, slices: number): NodeJS.Timeout {
  let next = 0;
  return setInterval(
    () => {
      exchange.stepMarket(next, slices);
      next = (next + 1) % slices;
    },
    Math.max(1, Math.round(intervalMs / slices)),
  );
}
