import type { DayReport } from "@/lib/core/reports";

const amount = (value: number | null) => (value === null ? "—" : value.toFixed(2));

/** The end-of-day summary as a short Discord message (plain Markdown, under 2,000 characters). */
export function discordSummary(report: DayReport): string {
  const { summary } = report;
  const currency = summary.currencies.join("/") || "USD";
  const reconciliation = report.reconciliation
    ? report.reconciliation.status === "matched"
      ? "reconciled with the broker"
      : `**reconciliation ${report.reconciliation.status}** (${report.reconciliation.issues.length} issues)`
    : "not reconciled";
  const strategies = report.byStrategy.slice(0, 5).map((row) => `${row.key} ${amount(row.net)}`).join(", ");
  return [
    `**Kestrel daily report ${report.day}** (${report.exchange})`,
    `Realized ${amount(summary.realizedPnl)} ${currency} · commissions ${amount(summary.commissions)} · net ${amount(summary.net)}`,
    `${summary.fills} fills, ${summary.trades} trades, win rate ${summary.winRate === null ? "—" : `${Math.round(summary.winRate * 100)}%`}, best ${amount(summary.largestWin)}, worst ${amount(summary.largestLoss)}`,
    strategies ? `By strategy: ${strategies}` : "",
    reconciliation,
  ]
    .filter(Boolean)
    .join("\n");
}
