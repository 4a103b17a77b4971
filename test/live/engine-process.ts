/**
 * The engine as the server runs it, alone in a process, for the kill test: connects to the
 * gateway at IB_HOST/IB_PORT, then sends the decisions kill-0 .. kill-(DECISIONS-1) in order,
 * printing one JSON line per event on stdout.
 */
import pino from "pino";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { Engine } from "@/lib/runtime/engine";

const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ at: Date.now(), ...line })}\n`);

async function main(): Promise<void> {
  const env = process.env;
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: env.DATABASE_URL! }) });
  const engine = new Engine({
    ib: { host: env.IB_HOST!, port: Number(env.IB_PORT), clientId: 7 },
    prisma,
    log: pino({ level: "silent" }),
    audit: async () => undefined,
    watchlist: [],
    tradingTimeZone: "America/New_York",
    mode: "paper",
    dataDir: env.KESTREL_DATA_DIR,
    reconnectDelaysMs: { initial: 100, max: 1_000 },
  });
  engine.onReconciled((result) => print({ event: "reconciled", result, health: engine.health() }));
  print({ event: "starting" });
  engine.start();
  while (!engine.health().ready) await new Promise((resolve) => setTimeout(resolve, 20));
  for (let i = 0; i < Number(env.DECISIONS); i++) {
    const result = await engine.sendDecision({ decisionId: `kill-${i}`, symbol: "SPY", side: "BUY", quantity: 10 });
    print({ event: "decision", decisionId: `kill-${i}`, ...result });
    await new Promise((resolve) => setTimeout(resolve, Number(env.DECISION_INTERVAL_MS ?? 100)));
  }
  print({ event: "done" });
}

void main();
