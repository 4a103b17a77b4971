import { Dec, decimalOf, ZERO } from "../model/decimal";
import { microsToNumber, toMicros } from "../model/money";
import { money } from "./replay";
import type { EquityPoint, FillRow, RoundTrip, WaterfallStep } from "./types";

/**
 * One step per round trip that realized P&L on the day (closed ones by exit time, then those
 * still open), then the total. The steps add up to the day's realized P&L.
 */
export function realizedWaterfall(trips: readonly RoundTrip[]): WaterfallStep[] {
  const contributing = trips
    .filter((trip) => trip.realizedToday !== 0)
    .sort((a, b) => (a.exitTime ?? Number.MAX_SAFE_INTEGER) - (b.exitTime ?? Number.MAX_SAFE_INTEGER) || a.id.localeCompare(b.id));
  const steps: WaterfallStep[] = [];
  let running: Dec = ZERO;
  for (const trip of contributing) {
    const next = running.plus(decimalOf(trip.realizedToday));
    steps.push({ label: `${trip.symbol} ${trip.direction} #${trip.id.split("-").pop()}`, value: trip.realizedToday, from: money(running), to: money(next) });
    running = next;
  }
  if (steps.length > 0) steps.push({ label: "Total", value: money(running), from: 0, to: money(running) });
  return steps;
}

/** Net P&L (gross realized minus commissions) accumulated fill by fill through the day. */
export function equityCurve(rows: readonly FillRow[], start: number): EquityPoint[] {
  const points: EquityPoint[] = [{ time: start, value: 0 }];
  let running = 0;
  for (const row of rows) {
    running += toMicros(row.grossRealizedPnl) - toMicros(row.commission);
    points.push({ time: row.time, value: microsToNumber(running) });
  }
  return points;
}
