import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { GatewaySimulator } from "@/lib/sim";
import { createRiskStack, type RiskStack } from "@/lib/services/risk-service";
import type { Engine } from "@/lib/runtime/engine";
import { startEngineOnSimulator, type EngineOnSimulator } from "@/test/engine-on-simulator";
import { eventually } from "@/test/eventually";
import { DiscordCommands } from "./commands";
import { buttonClick, buttonsOf, slashCommand } from "./fake-discord";

const TRADER = "333333333333333333";

describe("/flatten from Discord against the simulated gateway (real @stoqey/ib client, real Postgres)", () => {
  let rig: EngineOnSimulator;
  let simulator: GatewaySimulator;
  let prisma: PrismaClient;
  let engine: Engine;
  let riskStack: RiskStack;

  beforeAll(async () => {
    rig = await startEngineOnSimulator({ seed: 5 });
    ({ simulator, prisma, engine } = rig);
    // The controls exactly as server.ts composes them: the risk stack over the engine's flatten service.
    riskStack = createRiskStack({
      prisma,
      account: "paper",
      exchange: "XNYS",
      view: engine.view,
      flatten: engine.flattenService,
      now: Date.now,
      audit: rig.audit,
      log: pino({ level: "silent" }),
    });
    // Only the trading mode is loaded: a running guardian would flatten on the simulator's own P&L and race the test.
    await riskStack.state.load();
    engine.start();
  }, 30_000);

  afterAll(async () => {
    await rig?.stop();
  });

  it("halts, flattens one symbol, then a confirmed /flatten empties the simulator, all audited as the Discord user", async () => {
    const held = simulator.ledger().positions.filter((position) => position.qty !== 0);
    expect(held.length).toBeGreaterThan(0);
    await eventually(() => engine.view.openPositions().length, (count) => count === held.length);
    const commands = new DiscordCommands({
      controls: () => riskStack.controls,
      account: () => engine.view.snapshot(),
      access: () => ({ allowedUserIds: [TRADER], othersPolicy: "read-only" }),
      audit: rig.audit,
    });

    const positions = slashCommand("positions", TRADER);
    await commands.handleCommand(positions);
    for (const position of held) expect(positions.replies[0].content).toContain(position.symbol);

    const halt = slashCommand("halt", TRADER);
    await commands.handleCommand(halt);
    expect(halt.edits[0].content).toBe(`Trading is now **HALTED** (by discord:${TRADER}).`);
    expect(riskStack.controls.status().mode).toBe("HALTED");

    const [first, ...rest] = held;
    const one = slashCommand("flatten", TRADER, { symbol: first.symbol.toLowerCase() });
    await commands.handleCommand(one);
    expect(one.edits[0].content).toMatch(/^✅ Flatten \*\*flat\*\*/);
    expect(simulator.ledger().positions.filter((position) => position.qty !== 0).map((position) => position.symbol).sort()).toEqual(rest.map((position) => position.symbol).sort());

    const ask = slashCommand("flatten", TRADER);
    await commands.handleCommand(ask);
    const click = buttonClick(buttonsOf(ask.replies[0])[0], TRADER);
    await commands.handleButton(click);

    expect(click.edits[0].content).toMatch(/^✅ Flatten \*\*flat\*\*/);
    expect(simulator.ledger().positions.filter((position) => position.qty !== 0)).toEqual([]);
    expect(engine.view.openPositions()).toEqual([]);
    const audit = await eventually(
      async () => (await prisma.auditLog.findMany({ where: { source: "discord" }, orderBy: { id: "asc" } })).map(({ actor, action, result }) => ({ actor, action, result })),
      (rows) => rows.length >= 3,
      5_000,
    );
    expect(audit).toEqual([
      { actor: `discord:${TRADER}`, action: "trading.halt", result: "ok" },
      { actor: `discord:${TRADER}`, action: "flatten_symbol", result: "flat" },
      { actor: `discord:${TRADER}`, action: "flatten_all", result: "flat" },
    ]);

    const after = slashCommand("positions", TRADER);
    await commands.handleCommand(after);
    expect(after.replies[0].content).toBe("No open positions.");
  }, 60_000);
});
