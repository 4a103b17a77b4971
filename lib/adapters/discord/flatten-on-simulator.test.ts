import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaPg } from "@prisma/adapter-pg";
import pino from "pino";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { startGatewaySimulator, type GatewaySimulator } from "@/lib/sim";
import { recordAudit } from "@/lib/services/audit";
import type { TradingControls } from "@/lib/services/controls";
import { Engine } from "@/lib/runtime/engine";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { freshDatabase } from "@/test/db";
import { eventually } from "@/test/eventually";
import { DiscordCommands } from "./commands";
import { buttonClick, buttonsOf, slashCommand } from "./fake-discord";

const TRADER = "333333333333333333";
const log = pino({ level: "silent" });

/** The controls as the composition builds them over the engine's FlattenService; only flatten is exercised here. */
function controlsOver(engine: Engine): TradingControls {
  const unused = () => Promise.reject(new Error("not exercised by this test"));
  return {
    status: () => ({ mode: "ACTIVE", since: new Date(0).toISOString(), reason: null, changedBy: null }),
    haltEntries: unused,
    reduceOnly: unused,
    resume: unused,
    cancelAllOrders: unused,
    flattenSymbol: unused,
    flattenAll: (actor) => engine.flattenAll({ actor: actor.user, source: actor.source, ip: actor.ip ?? null }),
  };
}

describe("/flatten from Discord against the simulated gateway (real @stoqey/ib client, real Postgres)", () => {
  let simulator: GatewaySimulator;
  let database: ScratchDatabase;
  let prisma: PrismaClient;
  let engine: Engine;

  beforeAll(async () => {
    simulator = await startGatewaySimulator({ seed: 5, tickIntervalMs: 50 });
    database = await freshDatabase({ migrated: true });
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
    engine = new Engine({
      ib: { host: simulator.host, port: simulator.port, clientId: 0 },
      prisma,
      log,
      audit: async (event) => void (await recordAudit(prisma, event)),
      watchlist: ["SPY"],
      tradingTimeZone: "America/New_York",
    });
    engine.start();
  }, 30_000);

  afterAll(async () => {
    await engine?.stop();
    await simulator?.stop();
    await prisma?.$disconnect();
    await database?.drop();
  });

  it("shows the positions, then a confirmed /flatten empties them on the simulator and audits as the Discord user", async () => {
    const held = simulator.ledger().positions.filter((position) => position.qty !== 0);
    expect(held.length).toBeGreaterThan(0);
    await eventually(() => engine.view.openPositions().length, (count) => count === held.length);
    const commands = new DiscordCommands({
      controls: () => controlsOver(engine),
      account: () => engine.view.snapshot(),
      access: () => ({ allowedUserIds: [TRADER], othersPolicy: "read-only" }),
      audit: async (event) => void (await recordAudit(prisma, event)),
    });

    const positions = slashCommand("positions", TRADER);
    await commands.handleCommand(positions);
    for (const position of held) expect(positions.replies[0].content).toContain(position.symbol);

    const ask = slashCommand("flatten", TRADER);
    await commands.handleCommand(ask);
    const click = buttonClick(buttonsOf(ask.replies[0])[0], TRADER);
    await commands.handleButton(click);

    expect(click.edits[0].content).toMatch(/^✅ Flatten \*\*flat\*\*/);
    expect(simulator.ledger().positions.filter((position) => position.qty !== 0)).toEqual([]);
    expect(engine.view.openPositions()).toEqual([]);
    const audit = await prisma.auditLog.findMany({ where: { action: "flatten_all" } });
    expect(audit.map(({ actor, source, result }) => ({ actor, source, result }))).toEqual([{ actor: `discord:${TRADER}`, source: "discord", result: "flat" }]);

    const after = slashCommand("positions", TRADER);
    await commands.handleCommand(after);
    expect(after.replies[0].content).toBe("No open positions.");
  }, 60_000);
});
