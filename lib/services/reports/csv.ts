import type { DayReport, FillRow } from "@/lib/core/reports";

export const FILL_CSV_COLUMNS = [
  "time",
  "exec_id",
  "order_id",
  "symbol",
  "currency",
  "side",
  "quantity",
  "price",
  "commission",
  "gross_realized_pnl",
  "realized_pnl",
  "strategy",
  "order_ref",
] as const;

/** The day's fills as RFC 4180 CSV, times in ISO-8601 UTC, numbers unformatted. */
export function fillsCsv(report: Pick<DayReport, "fills">): string {
  const lines = report.fills.map((row) => fillCells(row).map(csvCell).join(","));
  return [FILL_CSV_COLUMNS.join(","), ...lines].join("\r\n") + "\r\n";
}

function fillCells(row: FillRow): string[] {
  return [
    new Date(row.time).toISOString(),
    row.execId,
    String(row.orderId),
    row.symbol,
    row.currency,
    row.side,
    String(row.quantity),
    String(row.price),
    String(row.commission),
    String(row.grossRealizedPnl),
    String(row.realizedPnl),
    row.strategy,
    row.orderRef ?? "",
  ];
}

/** Text a spreadsheet would run as a formula is defused with a leading quote; numbers are left alone. */
function csvCell(value: string): string {
  const defused = /^[=+@\t\r]/.test(value) || (/^-/.test(value) && Number.isNaN(Number(value))) ? `'${value}` : value;
  return /[",\r\n]/.test(defused) ? `"${defused.replaceAll('"', '""')}"` : defused;
}
