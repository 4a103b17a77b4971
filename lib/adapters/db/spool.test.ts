import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import pino from "pino";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { freshDatabase, testServerUrl } from "@/test/db";
import type { ScratchDatabase } from "./scratch-database";
import type { BrokerCommission, BrokerExecution, BrokerOrder } from "@/lib/adapters/ibkr/mapping";
import { Spool } from "./spool";
import { TradingJournal, type JournalEntry } from "./trading-journal";

const log = pino({ level: "silent" });

function execution(n: number): BrokerExecution {
  return {
    execId: `0001f4e8.${String(n).padStart(4, "0")}.01.01`,
    orderId: 10 + n,
    clientId: 0,
    permId: 5_000 + n,
    account: "DU1234567",
    symbol: "SPY",
    conId: 756733,
    currency: "USD",
    exchange: "ISLAND",
    side: "BUY",
    shares: n,
    price: 500 + n / 100,
    cumQty: n,
    avgPrice: 500 + n / 100,
    orderRef: `k1:decision-${n}`,
    executedAt: new Date(Date.UTC(2026, 10, 20, 15, 0, n)),
  };
}

const commission = (n: number): BrokerCommission => ({ execId: execution(n).execId, commission: 1 + n / 100, currency: "USD", realizedPnl: null });

const order = (n: number, status = "Submitted"): BrokerOrder => ({
  orderId: 10 + n,
  clientId: 0,
  permId: 5_000 + n,
  parentId: null,
  account: "DU1234567",
  symbol: "SPY",
  conId: 756733,
  secType: "STK",
  exchange: "SMART",
  currency: "USD",
  side: "BUY",
  orderType: "MKT",
  quantity: n,
  limitPrice: null,
  auxPrice: null,
  timeInForce: "DAY",
  ocaGroup: null,
  orderRef: `k1:decision-${n}`,
  status,
});

async function setConnectionsAllowed(database: ScratchDatabase, allowed: boolean): Promise<void> {
  const admin = new pg.Client({ connectionString: testServerUrl() });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS ${allowed}`);
    if (!allowed) await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [database.name]);
  } finally {
    await admin.end();
  }
}

describe("journal spool: nothing lost while Postgres is away, order kept", () => {
  let database: ScratchDatabase;
  let prisma: PrismaClient;
  let directory: string;

  beforeAll(async () => {
    database = await freshDatabase({ migrated: true });
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
    directory = mkdtempSync(path.join(tmpdir(), "kestrel-spool-"));
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await setConnectionsAllowed(database, true).catch(() => undefined);
    await database?.drop();
    rmSync(directory, { recursive: true, force: true });
  });

  it("writes each execution and commission once even when the broker repeats them", async () => {
    const journal = new TradingJournal(prisma, log, { spool: new Spool<JournalEntry>(directory, "dupes") });
    expect(await journal.recordExecution(execution(1))).toBe("written");
    expect(await journal.recordExecution(execution(1))).toBe("duplicate");
    expect(await journal.recordCommission(commission(1))).toBe("written");
    expect(await journal.recordCommission(commission(1))).toBe("duplicate");
    expect(await prisma.execution.count()).toBe(1);
    expect(await prisma.commission.count()).toBe(1);
    journal.stop();
  });

  it("spools writes during an outage, fsync'd to disk, and replays them in order when the database returns", async () => {
    const spool = new Spool<JournalEntry>(directory, "outage");
    const journal = new TradingJournal(prisma, log, { spool, retryMs: 100 });
    expect(await journal.recordOrder(order(2))).toBe("written");

    await setConnectionsAllowed(database, false);
    const outcomes = [
      await journal.recordExecution(execution(2)),
      await journal.recordOrderStatus("DU1234567", 0, { orderId: 12, status: "PreSubmitted", filled: 1, remaining: 1, avgFillPrice: 500, lastFillPrice: 500, permId: 5002, clientId: 0, whyHeld: null }),
      await journal.recordOrderStatus("DU1234567", 0, { orderId: 12, status: "Filled", filled: 2, remaining: 0, avgFillPrice: 500.02, lastFillPrice: 500.02, permId: 5002, clientId: 0, whyHeld: null }),
      await journal.recordCommission(commission(2)),
      await journal.recordExecution(execution(3)),
    ];
    expect(outcomes).toEqual(["spooled", "spooled", "spooled", "spooled", "spooled"]);
    // A second journal on the same file (a restart) sees the same pending lines.
    expect(new Spool<JournalEntry>(directory, "outage").pending().map((entry) => entry.kind)).toEqual(["execution", "status", "status", "commission", "execution"]);

    await setConnectionsAllowed(database, true);
    for (let attempt = 0; attempt < 50 && !(await journal.drainSpool()); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(journal.spooled).toBe(0);
    expect(spool.pending()).toEqual([]);

    const executions = await prisma.execution.findMany({ where: { execId: { in: [execution(2).execId, execution(3).execId] } } });
    expect(executions).toHaveLength(2);
    expect(await prisma.commission.findUnique({ where: { execId: execution(2).execId } })).not.toBeNull();
    const row = await prisma.order.findFirstOrThrow({ where: { orderId: 12 }, include: { statusEvents: { orderBy: { id: "asc" } } } });
    expect(row.status).toBe("Filled");
    expect(row.statusEvents.map((event) => event.status)).toEqual(["PreSubmitted", "Filled"]);
    expect(await journal.recordExecution(execution(3))).toBe("duplicate");
    journal.stop();
  });
});
