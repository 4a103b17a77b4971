/**
 * The runtime Engine against a fresh simulated gateway and a fresh migrated database, as
 * server.ts composes them (the real @stoqey/ib client, audit rows in Postgres). The engine is
 * returned unstarted, so a test can compose more around it first.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import pino from "pino";
import { PrismaClient } from "@/lib/generated/prisma/client";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { Engine } from "@/lib/runtime/engine";
import { recordAudit, type AuditEvent } from "@/lib/services/audit";
import { startGatewaySimulator, type GatewaySimulator } from "@/lib/sim";
import { freshDatabase } from "./db";

export interface EngineOnSimulator {
  simulator: GatewaySimulator;
  database: ScratchDatabase;
  prisma: PrismaClient;
  engine: Engine;
  audit: (event: AuditEvent) => Promise<void>;
  /** Stops the engine and the simulator and drops the database; safe after a failed start. */
  stop(): Promise<void>;
}

export async function startEngineOnSimulator(options: { seed: number; watchlist?: string[] }): Promise<EngineOnSimulator> {
  const simulator = await startGatewaySimulator({ seed: options.seed, tickIntervalMs: 50 });
  const database = await freshDatabase({ migrated: true });
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  const audit = async (event: AuditEvent) => void (await recordAudit(prisma, event));
  const engine = new Engine({
    ib: { host: simulator.host, port: simulator.port, clientId: 0 },
    prisma,
    log: pino({ level: "silent" }),
    audit,
    watchlist: options.watchlist ?? ["SPY"],
    tradingTimeZone: "America/New_York",
  });
  return {
    simulator,
    database,
    prisma,
    engine,
    audit,
    async stop() {
      await engine.stop();
      await simulator.stop();
      await prisma.$disconnect();
      await database.drop();
    },
  };
}
