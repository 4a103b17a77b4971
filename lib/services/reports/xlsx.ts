import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import type { DayReport } from "@/lib/core/reports";
import { wallTimeAt } from "@/lib/core/time/zoned-time";

const MONEY = '#,##0.00;[Red]-#,##0.00';
const PRICE = "#,##0.00######";
const QUANTITY = "#,##0.####";
const PERCENT = "0.0%";
const TIME = "yyyy-mm-dd hh:mm:ss";

interface Column {
  header: string;
  key: string;
  width: number;
  numFmt?: string;
}

/**
 * The day's report as an XLSX workbook: Summary, Fills, Trades and Waterfall sheets. Numbers
 * and times are typed cells (times are the exchange's wall-clock time, as Excel has no zones);
 * exceljs cannot write charts, so the waterfall is a table.
 */
export async function reportWorkbook(report: DayReport): Promise<Buffer> {
  // The streaming writer commits rows as they come: several times faster than the in-memory workbook.
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  workbook.creator = "Kestrel";
  addSummary(workbook, report);
  const local = (instant: number) => wallClockDate(instant, report.timeZone);
  addTable(workbook, "Fills", fillColumns, report.fills.map((row) => ({ ...row, time: local(row.time), orderRef: row.orderRef ?? "" })));
  addTable(
    workbook,
    "Trades",
    tradeColumns,
    report.roundTrips.map((trip) => ({
      ...trip,
      entryTime: local(trip.entryTime),
      exitTime: trip.exitTime === null ? null : local(trip.exitTime),
      holdingMinutes: trip.holdingMs === null ? null : trip.holdingMs / 60_000,
    })),
  );
  addTable(workbook, "Waterfall", waterfallColumns, report.waterfall.map((step) => ({ ...step })));
  await workbook.commit();
  return Buffer.concat(chunks);
}

const fillColumns: Column[] = [
  { header: "Time", key: "time", width: 20, numFmt: TIME },
  { header: "Symbol", key: "symbol", width: 10 },
  { header: "Side", key: "side", width: 6 },
  { header: "Quantity", key: "quantity", width: 10, numFmt: QUANTITY },
  { header: "Price", key: "price", width: 12, numFmt: PRICE },
  { header: "Commission", key: "commission", width: 12, numFmt: MONEY },
  { header: "Realized P&L", key: "realizedPnl", width: 14, numFmt: MONEY },
  { header: "Gross realized", key: "grossRealizedPnl", width: 14, numFmt: MONEY },
  { header: "Currency", key: "currency", width: 9 },
  { header: "Strategy", key: "strategy", width: 14 },
  { header: "Order ref", key: "orderRef", width: 22 },
  { header: "Exec id", key: "execId", width: 26 },
];

const tradeColumns: Column[] = [
  { header: "Symbol", key: "symbol", width: 10 },
  { header: "Direction", key: "direction", width: 9 },
  { header: "Strategy", key: "strategy", width: 14 },
  { header: "Entry", key: "entryTime", width: 20, numFmt: TIME },
  { header: "Exit", key: "exitTime", width: 20, numFmt: TIME },
  { header: "Holding (min)", key: "holdingMinutes", width: 13, numFmt: "#,##0.0" },
  { header: "Quantity", key: "quantity", width: 10, numFmt: QUANTITY },
  { header: "Entry price", key: "entryPrice", width: 12, numFmt: PRICE },
  { header: "Exit price", key: "exitPrice", width: 12, numFmt: PRICE },
  { header: "Gross P&L", key: "grossPnl", width: 12, numFmt: MONEY },
  { header: "Commissions", key: "commissions", width: 12, numFmt: MONEY },
  { header: "Net P&L", key: "netPnl", width: 12, numFmt: MONEY },
  { header: "Realized today", key: "realizedToday", width: 14, numFmt: MONEY },
];

const waterfallColumns: Column[] = [
  { header: "Trade", key: "label", width: 22 },
  { header: "Realized P&L", key: "value", width: 14, numFmt: MONEY },
  { header: "From", key: "from", width: 14, numFmt: MONEY },
  { header: "To", key: "to", width: 14, numFmt: MONEY },
];

type Writer = ExcelJS.stream.xlsx.WorkbookWriter;

function addTable(workbook: Writer, name: string, columns: Column[], rows: Record<string, unknown>[]): void {
  const sheet = workbook.addWorksheet(name, { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = columns.map(({ header, key, width, numFmt }) => ({ header, key, width, style: numFmt ? { numFmt } : {} }));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  for (const row of rows) sheet.addRow(row).commit();
  sheet.commit();
}

function addSummary(workbook: Writer, report: DayReport): void {
  const sheet = workbook.addWorksheet("Summary", { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = [
    { header: "Item", key: "item", width: 28 },
    { header: "Value", key: "value", width: 18 },
  ];
  sheet.getRow(1).font = { bold: true };
  const { summary } = report;
  const lines: [string, string | number | null, string?][] = [
    ["Trading day", report.day],
    ["Exchange", `${report.exchange} (${report.timeZone})`],
    ["Currencies", summary.currencies.join(", ")],
    ["Realized P&L", summary.realizedPnl, MONEY],
    ["Gross realized P&L", summary.grossRealizedPnl, MONEY],
    ["Commissions", summary.commissions, MONEY],
    ["Net (gross - commissions)", summary.net, MONEY],
    ["Fills", summary.fills, "0"],
    ["Shares", summary.shares, QUANTITY],
    ["Trades (closed round trips)", summary.trades, "0"],
    ["Win rate", summary.winRate, PERCENT],
    ["Largest win", summary.largestWin, MONEY],
    ["Largest loss", summary.largestLoss, MONEY],
    ["Reconciliation", report.reconciliation?.status ?? "not checked"],
  ];
  for (const [item, value, numFmt] of lines) {
    const row = sheet.addRow({ item, value });
    if (numFmt) row.getCell(2).numFmt = numFmt;
    row.commit();
  }
  sheet.addRow({}).commit();
  const header = sheet.addRow({ item: "Strategy / symbol", value: "Net" });
  header.font = { bold: true };
  header.commit();
  for (const group of [...report.byStrategy.map((row) => ({ ...row, key: `strategy ${row.key}` })), ...report.bySymbol.map((row) => ({ ...row, key: `symbol ${row.key}` }))]) {
    const row = sheet.addRow({ item: group.key, value: group.net });
    row.getCell(2).numFmt = MONEY;
    row.commit();
  }
  sheet.commit();
}

/** The exchange's wall-clock reading as a zone-less Date, which is how Excel stores times. */
function wallClockDate(instant: number, timeZone: string): Date {
  const wall = wallTimeAt(instant, timeZone);
  return new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
}
