import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ExcelJS from "exceljs";
import pino from "pino";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { GatewayClient } from "@/lib/adapters/ibkr/gateway-client";
import { TradingJournal } from "@/lib/adapters/db/trading-journal";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { startGatewaySimulator, type GatewaySimulator, type SimLedger } from "@/lib/sim";
import type { Side } from "@/lib/core/model/order";
import { exchangeCalendar } from "@/lib/core/calendar";
import { HttpError } from "@/lib/auth/errors";
import { freshDatabase } from "@/test/db";
import { createReportsService, type ReportsService } from "./service";
import { simulatorLedgerSource } from "./broker-source";
import { FILL_CSV_COLUMNS } from "./csv";
import { eventually } from "@/test/eventually";

const log = pino({ level: "silent" });
const nyse = exchangeCalendar("XNYS");
const THURSDAY = "2026-11-19";
const FRIDAY = "2026-11-20";

describe("daily report of a simulated session, reconciled with the simulator's ledger", () => {
  let now = Date.parse(`${THURSDAY}T15:00:00Z`);
  let simulator: GatewaySimulator;
  let database: ScratchDatabase;
  let prisma: PrismaClient;
  let client: GatewayClient;
  let journal: TradingJournal;
  let reports: ReportsService;

  const filled = (orderId: number) => (ledger: SimLedger) => ledger.orders.some((order) => order.orderId === orderId && order.status === "Filled");
  async function trade(symbol: string, side: Side, quantity: number, orderRef?: string): Promise<number> {
    const orderId = await client.placeMarketOrder({ symbol, side, quantity, orderRef });
    await eventually(() => simulator.ledger(), filled(orderId));
    return orderId;
  }
  async function journalCaughtUp(): Promise<void> {
    await eventually(
      async () => {
        await journal.flush();
        return prisma.commission.count();
      },
      (count) => count === simulator.ledger().commissions.length,
    );
  }

  beforeAll(async () => {
    simulator = await startGatewaySimulator({ seed: 5, tickIntervalMs: 20, startingState: "empty", clock: { now: () => now, speed: 1 } });
    database = await freshDatabase({ migrated: true });
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
    client = new GatewayClient({ host: simulator.host, port: simulator.port, clientId: 3, log, timeZone: "UTC" });
    journal = new TradingJournal(prisma, log);
    client.on("openOrder", (order) => void journal.recordOrder(order));
    client.on("execution", (execution) => void journal.recordExecution(execution));
    client.on("commission", (commission) => void journal.recordCommission(commission));
    client.start();
    await eventually(() => client.ready, (ready) => ready);
    reports = createReportsService({ prisma, log, broker: simulatorLedgerSource(() => simulator.ledger(), nyse) });

    // Thursday: open a long and a short that stay open overnight, and a round trip that closes the same day.
    await trade("AAPL", "BUY", 100, "sma:1");
    await trade("MSFT", "SELL", 60, "meanrev:1");
    await trade("NVDA", "BUY", 40);
    now += 60 * 60_000;
    await trade("NVDA", "SELL", 40);
    // Friday: close the overnight trades (partially, then fully), a large order filled in parts, a reversal.
    now = Date.parse(`${FRIDAY}T14:45:00Z`);
    await trade("AAPL", "SELL", 30, "sma:2");
    now += 30 * 60_000;
    await trade("AAPL", "SELL", 70, "sma:3");
    await trade("MSFT", "BUY", 100, "meanrev:2");
    await trade("NVDA", "BUY", 2_000, "breakout:1");
    now += 2 * 60 * 60_000;
    await trade("NVDA", "SELL", 2_000, "flatten:abc");
    await trade("MSFT", "SELL", 40, "meanrev:3");
    await journalCaughtUp();
  }, 120_000);

  afterAll(async () => {
    await client?.stop();
    await simulator?.stop();
    await prisma?.$disconnect();
    await database?.drop();
  });

  const ledgerDay = (day: string) => {
    const ledger = simulator.ledger();
    const executions = ledger.executions.filter((execution) => nyse.tradingDayOf(Date.parse(execution.timestamp)) === day);
    const commissions = new Map(ledger.commissions.map((commission) => [commission.execId, commission]));
    return { executions, commissions, ledger };
  };

  it("has exactly the ledger's fills and commissions on each day, and says the broker agrees", async () => {
    for (const day of [THURSDAY, FRIDAY]) {
      const report = await reports.build(day);
      const { executions, commissions } = ledgerDay(day);
      expect(report.fills.map((row) => row.execId).sort()).toEqual(executions.map((execution) => execution.execId).sort());
      for (const row of report.fills) {
        const execution = executions.find((candidate) => candidate.execId === row.execId)!;
        expect(row).toMatchObject({ symbol: execution.symbol, quantity: execution.shares, price: execution.price, side: execution.side === "BOT" ? "BUY" : "SELL" });
        expect(row.commission).toBeCloseTo(commissions.get(row.execId)!.amount, 2);
      }
      expect(report.reconciliation).toMatchObject({ status: "matched", issues: [] });
    }
  });

  it("per-fill and daily realized P&L equal the ledger's to the cent; the two days add up to its total", async () => {
    const thursday = await reports.build(THURSDAY);
    const friday = await reports.build(FRIDAY);
    for (const report of [thursday, friday]) {
      const { commissions } = ledgerDay(report.day);
      for (const row of report.fills) expect(row.realizedPnl).toBeCloseTo(commissions.get(row.execId)!.realizedPnl ?? 0, 2);
    }
    expect(thursday.summary.realizedPnl + friday.summary.realizedPnl).toBeCloseTo(simulator.ledger().realizedPnl, 2);
    const largeOrderFills = friday.fills.filter((row) => row.symbol === "NVDA");
    expect(largeOrderFills.length).toBeGreaterThan(2); // each 2,000-share order filled in parts
  });

  it("round trips: the overnight AAPL long closes Friday, the MSFT short reverses into a long", async () => {
    const friday = await reports.build(FRIDAY);
    const aapl = friday.roundTrips.find((trip) => trip.symbol === "AAPL")!;
    expect(aapl).toMatchObject({ direction: "long", quantity: 100, strategy: "sma" });
    expect(nyse.tradingDayOf(aapl.entryTime)).toBe(THURSDAY);
    expect(nyse.tradingDayOf(aapl.exitTime!)).toBe(FRIDAY);
    const msft = friday.roundTrips.filter((trip) => trip.symbol === "MSFT").map((trip) => [trip.direction, trip.quantity, trip.exitTime === null]);
    expect(msft).toEqual([
      ["short", 60, false],
      ["long", 40, false],
    ]);
    expect(friday.summary.trades).toBe(4); // AAPL, the MSFT short and the long it reversed into, NVDA
    expect(friday.waterfall.at(-1)?.to).toBeCloseTo(friday.summary.realizedPnl, 6);
    expect(friday.byStrategy.map((row) => row.key).sort()).toEqual(["breakout", "flatten", "meanrev", "sma"]);
  });

  it("flags a fill the broker does not know and a commission that differs", async () => {
    const { executions } = ledgerDay(FRIDAY);
    const doctored = createReportsService({
      prisma,
      log,
      broker: {
        name: "doctored ledger",
        executionsForDay: async (day) => {
          const rows = await simulatorLedgerSource(() => simulator.ledger(), nyse).executionsForDay(day);
          return rows.filter((row) => row.execId !== executions[0].execId).map((row, index) => (index === 0 ? { ...row, commission: (row.commission ?? 0) + 0.25 } : row));
        },
      },
    });
    const report = await doctored.build(FRIDAY);
    expect(report.reconciliation?.status).toBe("mismatched");
    expect(report.reconciliation?.issues).toEqual(
      expect.arrayContaining([
        { execId: executions[0].execId, kind: "missing_at_broker" },
        expect.objectContaining({ execId: executions[1].execId, kind: "field_mismatch", field: "commission" }),
      ]),
    );
  });

  it("writes an XLSX that opens with typed, formatted cells, a frozen header and an autofilter", async () => {
    const report = await reports.build(FRIDAY);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await reports.xlsx(FRIDAY)) as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(["Summary", "Fills", "Trades", "Waterfall"]);
    const fills = workbook.getWorksheet("Fills")!;
    expect(fills.rowCount).toBe(report.fills.length + 1);
    expect(fills.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(fills.autoFilter).toBeTruthy();
    const header = (fills.getRow(1).values as unknown[]).slice(1);
    const column = (name: string) => header.indexOf(name) + 1;
    report.fills.forEach((row, index) => {
      const cells = fills.getRow(index + 2);
      expect(cells.getCell(column("Symbol")).value).toBe(row.symbol);
      expect(cells.getCell(column("Quantity")).value).toBe(row.quantity);
      expect(cells.getCell(column("Price")).value).toBe(row.price);
      expect(cells.getCell(column("Realized P&L")).value).toBe(row.realizedPnl);
      expect(cells.getCell(column("Commission")).numFmt).toContain("0.00");
      expect(cells.getCell(column("Time")).value).toBeInstanceOf(Date);
    });
    const summary = workbook.getWorksheet("Summary")!;
    const realized = summary.getColumn(1).values.indexOf("Realized P&L");
    expect(summary.getRow(realized).getCell(2).value).toBe(report.summary.realizedPnl);
  });

  it("writes a CSV that parses back to the same fills", async () => {
    const report = await reports.build(FRIDAY);
    const [head, ...lines] = (await reports.csv(FRIDAY)).trimEnd().split("\r\n");
    expect(head.split(",")).toEqual([...FILL_CSV_COLUMNS]);
    const parsed = lines.map((line) => Object.fromEntries(line.split(",").map((cell, index) => [FILL_CSV_COLUMNS[index], cell])));
    expect(parsed.map((row) => ({ execId: row.exec_id, symbol: row.symbol, side: row.side, quantity: Number(row.quantity), price: Number(row.price), commission: Number(row.commission), time: Date.parse(row.time) }))).toEqual(
      report.fills.map((row) => ({ execId: row.execId, symbol: row.symbol, side: row.side, quantity: row.quantity, price: row.price, commission: row.commission, time: row.time })),
    );
  });

  it("a day without trades is an empty report; a bad date is a 404 that says why", async () => {
    const monday = await reports.report("2026-11-23");
    expect(monday.fills).toEqual([]);
    expect(monday.summary).toMatchObject({ fills: 0, trades: 0, realizedPnl: 0 });
    expect(() => reports.parseDay("2026-02-30")).toThrow(HttpError);
    expect(() => reports.parseDay("yesterday")).toThrow(/YYYY-MM-DD/);
    expect(() => reports.parseDay("1999-01-04")).toThrow(/2024-2027/);
  });

  it("lists both trading days with their P&L", async () => {
    const days = await reports.listDays(100_000);
    expect(days.map((entry) => entry.day)).toEqual(expect.arrayContaining([FRIDAY, THURSDAY]));
  });

  it("freezes a closed day: the stored report is served even after the journal changes (runs last: it edits the journal)", async () => {
    const stored = await reports.closeDay(THURSDAY);
    await prisma.commission.updateMany({ data: { commission: "99" } });
    const served = await reports.report(THURSDAY);
    expect(served.summary).toEqual(stored.summary);
    const live = await reports.build(THURSDAY);
    expect(live.summary.commissions).not.toBe(stored.summary.commissions);
  });
});
