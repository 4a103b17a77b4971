import { microsToNumber, toMicros } from "../model/money";
import type { Breakdown, DaySummary, FillRow, RoundTrip } from "./types";

/** Sums in integer micro-units: exact, since every row amount is already rounded to one. */
interface Totals {
  fills: number;
  shares: number;
  gross: number;
  commissions: number;
  realized: number;
}

const emptyTotals = (): Totals => ({ fills: 0, shares: 0, gross: 0, commissions: 0, realized: 0 });

function addFill(totals: Totals, row: FillRow): void {
  totals.fills += 1;
  totals.shares += toMicros(row.quantity);
  totals.gross += toMicros(row.grossRealizedPnl);
  totals.commissions += toMicros(row.commission);
  totals.realized += toMicros(row.realizedPnl);
}

/** Trips that closed inside the day: the day's "trades". */
export function closedTrips(trips: readonly RoundTrip[], window: { start: number; end: number }): RoundTrip[] {
  return trips.filter((trip) => trip.exitTime !== null && trip.exitTime >= window.start && trip.exitTime < window.end);
}

export function summarize(rows: readonly FillRow[], closed: readonly RoundTrip[]): DaySummary {
  const totals = emptyTotals();
  for (const row of rows) addFill(totals, row);
  const outcomes = closed.map((trip) => trip.netPnl);
  const wins = outcomes.filter((pnl) => pnl > 0).length;
  const losses = outcomes.filter((pnl) => pnl < 0).length;
  const largestWin = wins === 0 ? null : Math.max(...outcomes);
  const largestLoss = losses === 0 ? null : Math.min(...outcomes);
  return {
    fills: totals.fills,
    shares: microsToNumber(totals.shares),
    trades: closed.length,
    wins,
    losses,
    winRate: closed.length === 0 ? null : wins / closed.length,
    grossRealizedPnl: microsToNumber(totals.gross),
    commissions: microsToNumber(totals.commissions),
    realizedPnl: microsToNumber(totals.realized),
    net: microsToNumber(totals.gross - totals.commissions),
    largestWin,
    largestLoss,
    currencies: [...new Set(rows.map((row) => row.currency))].sort(),
  };
}

/** Per-key totals (strategy, symbol), largest |net| first. */
export function breakdown(rows: readonly FillRow[], closed: readonly RoundTrip[], keyOf: (item: { symbol: string; strategy: string }) => string): Breakdown[] {
  const groups = new Map<string, Totals>();
  for (const row of rows) {
    const key = keyOf(row);
    let totals = groups.get(key);
    if (!totals) groups.set(key, (totals = emptyTotals()));
    addFill(totals, row);
  }
  const tripCounts = new Map<string, number>();
  for (const trip of closed) tripCounts.set(keyOf(trip), (tripCounts.get(keyOf(trip)) ?? 0) + 1);
  return [...groups.entries()]
    .map(([key, totals]) => ({
      key,
      fills: totals.fills,
      shares: microsToNumber(totals.shares),
      grossRealizedPnl: microsToNumber(totals.gross),
      commissions: microsToNumber(totals.commissions),
      realizedPnl: microsToNumber(totals.realized),
      net: microsToNumber(totals.gross - totals.commissions),
      closedTrips: tripCounts.get(key) ?? 0,
    }))
    .sort((a, b) => Math.abs(b.net) - Math.abs(a.net) || a.key.localeCompare(b.key));
}

export const bySymbol = (item: { symbol: string }) => item.symbol;
export const byStrategy = (item: { strategy: string }) => item.strategy;

