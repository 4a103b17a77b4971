import { describe, expect, it } from "vitest";
import type { AuditEvent } from "@/lib/services/audit";
import type { Actor, TradingControls, TradingStatus } from "@/lib/services/controls";
import type { DashboardSnapshot } from "@/lib/services/account-view";
import type { FlattenResult } from "@/lib/services/flatten";
import { CONFIRM_WINDOW_MS, DiscordCommands, EPHEMERAL, type CommandAccess } from "./commands";
import { buttonClick, buttonsOf, slashCommand } from "./fake-discord";

const TRADER = "111111111111111111";
const STRANGER = "222222222222222222";

const snapshot: DashboardSnapshot = {
  connection: "connected",
  account: { account: "DU1234567", currency: "USD", netLiquidation: 100_250.5, totalCash: 50_000, buyingPower: 200_000, unrealizedPnl: 120.25, realizedPnl: -35.5 },
  positions: [
    { symbol: "AAPL", quantity: 100, avgCost: 190.12, marketPrice: 191.5, unrealizedPnl: 138 },
    { symbol: "TSLA", quantity: 0, avgCost: 0, marketPrice: null, unrealizedPnl: null },
  ],
  orders: [{ orderId: 42, symbol: "SPY", side: "BUY", orderType: "LMT", quantity: 10, limitPrice: 500.1, filled: 0, status: "Submitted" }],
  fills: [],
  quotes: [],
};

function flatResult(symbols: string[]): FlattenResult {
  return {
    id: "run-1",
    status: "flat",
    startedAt: "2026-11-21T15:00:00.000Z",
    finishedAt: "2026-11-21T15:00:01.000Z",
    ordersCancelled: 1,
    closingOrders: symbols.map((symbol, index) => ({ orderId: 100 + index, symbol, side: "SELL" as const, quantity: 100 })),
    remaining: [],
    message: "All orders cancelled and every position closed.",
  };
}

/** Records what reached the controls; answers like the real ones would. */
function recordingControls() {
  const calls: { method: string; actor: Actor; argument?: string }[] = [];
  const status = (mode: TradingStatus["mode"], actor: Actor | null): TradingStatus => ({ mode, since: "2026-11-21T15:00:00.000Z", reason: null, changedBy: actor?.user ?? null });
  const controls: TradingControls = {
    status: () => status("ACTIVE", null),
    haltEntries: async (actor) => (calls.push({ method: "haltEntries", actor }), status("HALTED", actor)),
    reduceOnly: async (actor) => (calls.push({ method: "reduceOnly", actor }), status("REDUCING", actor)),
    resume: async (actor) => (calls.push({ method: "resume", actor }), status("ACTIVE", actor)),
    flattenAll: async (actor) => (calls.push({ method: "flattenAll", actor }), flatResult(["AAPL"])),
    flattenSymbol: async (actor, symbol) => (calls.push({ method: "flattenSymbol", actor, argument: symbol }), flatResult([symbol])),
    cancelAllOrders: async (actor) => (calls.push({ method: "cancelAllOrders", actor }), { ordersCancelled: 0 }),
    cancelOrder: async (actor, orderId) => (calls.push({ method: "cancelOrder", actor, argument: String(orderId) }), { cancelled: true, message: `order ${orderId} cancelled` }),
  };
  return { controls, calls };
}

function setup(access: Partial<CommandAccess> = {}) {
  let now = Date.UTC(2026, 10, 21, 15, 0);
  const audits: AuditEvent[] = [];
  const { controls, calls } = recordingControls();
  const commands = new DiscordCommands({
    controls: () => controls,
    account: () => snapshot,
    access: () => ({ allowedUserIds: [TRADER], othersPolicy: "read-only", ...access }),
    audit: async (event) => void audits.push(event),
    now: () => now,
  });
  return { commands, calls, audits, advance: (ms: number) => (now += ms) };
}

describe("Discord read commands", () => {
  it("answers /positions, /orders, /pnl and /status privately to anyone when others get read-only answers", async () => {
    const { commands, calls } = setup();
    const answers: Record<string, string> = {};
    for (const name of ["positions", "orders", "pnl", "status"]) {
      const interaction = slashCommand(name, STRANGER);
      await commands.handleCommand(interaction);
      expect(interaction.replies).toHaveLength(1);
      expect(interaction.replies[0].flags).toBe(EPHEMERAL);
      answers[name] = interaction.replies[0].content;
    }
    expect(answers.positions).toContain("AAPL       100 @    190.12  last    191.50  uPnL 138.00");
    expect(answers.positions).not.toContain("TSLA");
    expect(answers.orders).toContain("#42 BUY 10 SPY LMT 500.10 · Submitted · filled 0");
    expect(answers.pnl).toContain("Realized -35.50 · unrealized 120.25 · commissions 0.00");
    expect(answers.status).toContain("Broker **connected** · account DU1234567");
    expect(answers.status).toContain("Trading **ACTIVE**");
    expect(calls).toEqual([]);
  });

  it("answers nobody outside the allow-list when others get nothing", async () => {
    const { commands } = setup({ othersPolicy: "none" });
    const stranger = slashCommand("positions", STRANGER);
    await commands.handleCommand(stranger);
    expect(stranger.replies).toEqual([{ content: "Kestrel answers allow-listed users only.", flags: EPHEMERAL }]);
    const trader = slashCommand("positions", TRADER);
    await commands.handleCommand(trader);
    expect(trader.replies[0].content).toContain("AAPL");
  });
});

describe("Discord commands that change trading", () => {
  it("refuses /halt, /resume and /flatten from users outside the allow-list and audits the attempt", async () => {
    const { commands, calls, audits } = setup();
    for (const [name, options] of [["halt", {}], ["resume", {}], ["flatten", {}], ["flatten", { symbol: "AAPL" }]] as const) {
      const interaction = slashCommand(name, STRANGER, options);
      await commands.handleCommand(interaction);
      expect(interaction.replies).toEqual([{ content: "You are not on Kestrel's allow-list for commands that change trading.", flags: EPHEMERAL }]);
    }
    expect(calls).toEqual([]);
    expect(audits.map((event) => [event.actor, event.source, event.action, event.result])).toEqual([
      [`discord:${STRANGER}`, "discord", "discord_halt", "denied_not_allow_listed"],
      [`discord:${STRANGER}`, "discord", "discord_resume", "denied_not_allow_listed"],
      [`discord:${STRANGER}`, "discord", "discord_flatten", "denied_not_allow_listed"],
      [`discord:${STRANGER}`, "discord", "discord_flatten", "denied_not_allow_listed"],
    ]);
  });

  it("runs /halt and /resume through TradingControls as the Discord user", async () => {
    const { commands, calls } = setup();
    const halt = slashCommand("halt", TRADER);
    await commands.handleCommand(halt);
    const resume = slashCommand("resume", TRADER);
    await commands.handleCommand(resume);
    expect(calls).toEqual([
      { method: "haltEntries", actor: { user: `discord:${TRADER}`, source: "discord" } },
      { method: "resume", actor: { user: `discord:${TRADER}`, source: "discord" } },
    ]);
    expect(halt.deferred).toBe(true);
    expect(halt.edits[0].content).toBe(`Trading is now **HALTED** (by discord:${TRADER}).`);
    expect(resume.edits[0].content).toBe(`Trading is now **ACTIVE** (by discord:${TRADER}).`);
  });

  it("flattens one symbol at once, upper-cased, and rejects a malformed symbol", async () => {
    const { commands, calls } = setup();
    const one = slashCommand("flatten", TRADER, { symbol: " aapl " });
    await commands.handleCommand(one);
    expect(calls).toEqual([{ method: "flattenSymbol", actor: { user: `discord:${TRADER}`, source: "discord" }, argument: "AAPL" }]);
    expect(one.edits[0].content).toMatch(/^✅ Flatten \*\*flat\*\*: 1 orders cancelled; SELL 100 AAPL\./);
    const bad = slashCommand("flatten", TRADER, { symbol: "AAPL; DROP" });
    await commands.handleCommand(bad);
    expect(bad.replies[0].content).toMatch(/is not a symbol/);
    expect(calls).toHaveLength(1);
  });

  it("asks for a confirmation before flattening everything and runs it on the click", async () => {
    const { commands, calls } = setup();
    const ask = slashCommand("flatten", TRADER);
    await commands.handleCommand(ask);
    expect(calls).toEqual([]);
    const [confirm] = buttonsOf(ask.replies[0]);
    expect(ask.replies[0].content).toMatch(/Confirm within 30 s/);

    const intruder = buttonClick(confirm, STRANGER);
    await commands.handleButton(intruder);
    expect(intruder.replies[0].content).toBe("Only the user who asked for the flatten can confirm it.");
    expect(calls).toEqual([]);

    const click = buttonClick(confirm, TRADER);
    await commands.handleButton(click);
    expect(calls).toEqual([{ method: "flattenAll", actor: { user: `discord:${TRADER}`, source: "discord" } }]);
    expect(click.updates[0].components).toEqual([]);
    expect(click.edits[0].content).toMatch(/^✅ Flatten \*\*flat\*\*/);

    const again = buttonClick(confirm, TRADER);
    await commands.handleButton(again);
    expect(again.replies[0].content).toMatch(/no longer valid/);
    expect(calls).toHaveLength(1);
  });

  it("lets the confirmation expire after 30 s without touching anything", async () => {
    const { commands, calls, audits, advance } = setup();
    const ask = slashCommand("flatten", TRADER);
    await commands.handleCommand(ask);
    advance(CONFIRM_WINDOW_MS + 1);
    const late = buttonClick(buttonsOf(ask.replies[0])[0], TRADER);
    await commands.handleButton(late);
    expect(late.updates).toEqual([{ content: "The confirmation expired (30 s); nothing was done. Run /flatten again.", components: [] }]);
    expect(calls).toEqual([]);
    expect(audits).toEqual([{ actor: `discord:${TRADER}`, source: "discord", action: "flatten_all", result: "confirmation_expired" }]);
  });

  it("cancels on the cancel button, and forgets expired confirmations", async () => {
    const { commands, calls, advance } = setup();
    const ask = slashCommand("flatten", TRADER);
    await commands.handleCommand(ask);
    const [, cancel] = buttonsOf(ask.replies[0]);
    const click = buttonClick(cancel, TRADER);
    await commands.handleButton(click);
    expect(click.updates[0].content).toBe("Flatten cancelled.");

    const second = slashCommand("flatten", TRADER);
    await commands.handleCommand(second);
    advance(CONFIRM_WINDOW_MS + 1);
    commands.sweepExpired();
    const late = buttonClick(buttonsOf(second.replies[0])[0], TRADER);
    await commands.handleButton(late);
    expect(late.replies[0].content).toMatch(/no longer valid/);
    expect(calls).toEqual([]);
  });
});
