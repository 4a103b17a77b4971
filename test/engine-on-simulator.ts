/**
 * The risk tests' rig (simulator + runtime Engine through the real @stoqey/ib client) on a fresh
 * migrated database of its own, with the simulator's demo book, audit rows written to Postgres and
 * a client for the test's own queries. The engine is returned unstarted, so a test can compose
 * more around it first.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import type { Engine } from "@/lib/runtime/engine";
import { recordAudit, type AuditEvent } from "@/lib/services/audit";
import { startRig } from "@/lib/services/risk-test-support";
import type { GatewaySimulator } from "@/lib/sim";
import { freshDatabase } from "./db";

export interface EngineOnSimulator {
  simulator: GatewaySimulator;
  database: ScratchDatabase;
  prisma: PrismaClient;
  engine: Engine;
  audit: (event: AuditEvent) => Promise<void>;
  /** Stops the engine and the simulator and drops the database. */
  stop(): Promise<void>;
}

export async function startEngineOnSimulator(options: { seed: number; watchlist?: string[] }): Promise<EngineOnSimulator> {
  const database = await freshDatabase({ migrated: true });
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  const audit = async (event: AuditEvent) => void (await recordAudit(prisma, event));
  const rig = await startRig({
    databaseUrl: database.url,
    sim: { seed: options.seed, tickIntervalMs: 50, startingState: "demo" },
    audit,
    watchlist: options.watchlist ?? ["SPY"],
    // The simulator places the demo book's resting orders as client 0, so the engine sees them as its own.
    clientId: 0,
  });
  return {
    simulator: rig.sim,
    database,
    prisma,
    engine: rig.engine,
    audit,
    async stop() {
      await rig.stop();
      await prisma.$disconnect();
      await database.drop();
    },
  };
}
