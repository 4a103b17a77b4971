import type { DayKey, ExchangeCalendar } from "../calendar/calendar";
import { replayFills } from "./replay";
import { breakdown, byStrategy, bySymbol, closedTrips, summarize } from "./summary";
import { equityCurve, realizedWaterfall } from "./series";
import type { DayReport, ManualAction, Reconciliation, ReportFill, RiskEvent } from "./types";

export interface DayReportInput {
  readonly day: DayKey;
  readonly calendar: ExchangeCalendar;
  /**
   * The day's fills plus the earlier fills of the same symbols that its positions were built
   * from (fills after the day are ignored).
   */
  readonly fills: readonly ReportFill[];
  readonly manualActions?: readonly ManualAction[];
  readonly riskEvents?: readonly RiskEvent[];
  readonly reconciliation?: Reconciliation | null;
}

/**
 * Everything the daily report shows, from journal rows. A day the exchange does not trade
 * has no window and no fills: every fill maps to a trading day (see `tradingDayOf`).
 */
export function buildDayReport(input: DayReportInput): DayReport {
  const { day, calendar } = input;
  const session = calendar.session(day);
  const window = session ? calendar.tradingDayWindow(day) : { start: 0, end: 0 };
  const { rows, trips } = replayFills(input.fills, window);
  const closed = closedTrips(trips, window);
  return {
    schemaVersion: 1,
    day,
    exchange: calendar.exchange.mic,
    timeZone: calendar.timeZone,
    tradingDay: session !== null,
    session: session && { open: session.open, close: session.close, earlyClose: session.earlyClose },
    window,
    summary: summarize(rows, closed),
    byStrategy: breakdown(rows, closed, byStrategy),
    bySymbol: breakdown(rows, closed, bySymbol),
    fills: rows,
    roundTrips: trips,
    waterfall: realizedWaterfall(trips),
    equityCurve: session ? equityCurve(rows, session.open < (rows[0]?.time ?? Infinity) ? session.open : window.start) : [],
    manualActions: [...(input.manualActions ?? [])].sort((a, b) => a.at - b.at),
    riskEvents: [...(input.riskEvents ?? [])].sort((a, b) => a.at - b.at),
    reconciliation: input.reconciliation ?? null,
  };
}
