import { Dec, decimalOf, ZERO } from "../model/decimal";
import { Position } from "../model/position";
import type { Fill } from "../model/fill";
import { strategyOf } from "./attribution";
import type { FillRow, ReportFill, RoundTrip, TripDirection } from "./types";

/** A round trip while it is being built: exact decimals, converted once at the end. */
interface OpenTrip {
  id: string;
  symbol: string;
  currency: string;
  direction: TripDirection;
  strategy: string;
  entryTime: number;
  exitTime: number | null;
  maxQuantity: number;
  entryQuantity: Dec;
  entryNotional: Dec;
  entryCommission: Dec;
  exitQuantity: Dec;
  exitNotional: Dec;
  gross: Dec;
  commissions: Dec;
  realizedToday: Dec;
  fills: number;
  touchesDay: boolean;
}

export interface ReplayResult {
  /** The fills inside the window, in time order. */
  readonly rows: FillRow[];
  /** Round trips with at least one fill inside the window. */
  readonly trips: RoundTrip[];
}

/** Chronological, execId breaking ties, so a replay is the same whatever order rows were loaded in. */
export function chronological(fills: readonly ReportFill[]): ReportFill[] {
  return [...fills].sort((a, b) => a.time - b.time || (a.execId < b.execId ? -1 : a.execId > b.execId ? 1 : 0));
}

/**
 * Replays fills through the core's FIFO `Position`, one per symbol, and records what the
 * fills inside `[window.start, window.end)` realized. Earlier fills only build the lots that
 * the day's fills close. Realized P&L per fill follows IB: the broker's commission-report
 * figure when it gave one; otherwise gross FIFO P&L minus the closing commission and the
 * opening commissions of the closed quantity (averaged over the trip's entries, as IB folds
 * commissions into the average cost).
 */
export function replayFills(fills: readonly ReportFill[], window: { start: number; end: number }): ReplayResult {
  const positions = new Map<string, Position>();
  const openTrips = new Map<string, OpenTrip>();
  const rows: FillRow[] = [];
  const trips: OpenTrip[] = [];
  let tripCount = 0;

  for (const fill of chronological(fills)) {
    if (fill.time >= window.end) break;
    const inDay = fill.time >= window.start;
    const key = `${fill.symbol}\u0000${fill.currency}`;
    let position = positions.get(key);
    if (!position) positions.set(key, (position = new Position(fill.symbol)));

    const commission = decimalOf(fill.commission ?? 0);
    const effect = position.apply(toCoreFill(fill));
    const gross = decimalOf(effect.realized);
    const closed = Number(effect.closedQuantity);
    const opened = Number(effect.openedQuantity);
    const closingShare = commission.mul(closed).div(fill.quantity);

    let trip = openTrips.get(key);
    let computedRealized = ZERO;
    if (trip && closed > 0) {
      const openingShare = trip.entryQuantity.isZero() ? ZERO : trip.entryCommission.mul(closed).div(trip.entryQuantity);
      computedRealized = gross.minus(closingShare).minus(openingShare);
      trip.exitQuantity = trip.exitQuantity.plus(closed);
      trip.exitNotional = trip.exitNotional.plus(decimalOf(closed).mul(decimalOf(fill.price)));
      trip.gross = trip.gross.plus(gross);
      trip.commissions = trip.commissions.plus(closingShare);
      trip.fills += 1;
      trip.touchesDay ||= inDay;
    }
    const realized = fill.brokerRealizedPnl === null ? computedRealized : decimalOf(fill.brokerRealizedPnl);
    if (trip && closed > 0 && inDay) trip.realizedToday = trip.realizedToday.plus(realized);

    if (trip && closed > 0 && (position.isFlat || opened > 0)) {
      trip.exitTime = fill.time;
      openTrips.delete(key);
      trip = undefined;
    }
    if (opened > 0) {
      const openingShare = commission.minus(closingShare);
      if (!trip) {
        trip = newTrip(`${fill.symbol}-${++tripCount}`, fill, position.quantity > 0 ? "long" : "short");
        openTrips.set(key, trip);
        trips.push(trip);
      }
      trip.entryQuantity = trip.entryQuantity.plus(opened);
      trip.entryNotional = trip.entryNotional.plus(decimalOf(opened).mul(decimalOf(fill.price)));
      trip.entryCommission = trip.entryCommission.plus(openingShare);
      trip.commissions = trip.commissions.plus(openingShare);
      trip.fills += 1;
      trip.touchesDay ||= inDay;
    }
    if (trip) trip.maxQuantity = Math.max(trip.maxQuantity, Math.abs(position.quantity));

    if (inDay) rows.push(toRow(fill, commission, gross, realized, position.quantity));
  }
  return { rows, trips: trips.filter((trip) => trip.touchesDay).map(finishTrip) };
}

function toCoreFill(fill: ReportFill): Fill {
  return {
    orderId: fill.orderId,
    execId: fill.execId,
    symbol: fill.symbol,
    side: fill.side,
    quantity: fill.quantity,
    price: fill.price,
    commission: fill.commission ?? 0,
    time: fill.time,
  };
}

function newTrip(id: string, fill: ReportFill, direction: TripDirection): OpenTrip {
  return {
    id,
    symbol: fill.symbol,
    currency: fill.currency,
    direction,
    strategy: strategyOf(fill.orderRef),
    entryTime: fill.time,
    exitTime: null,
    maxQuantity: 0,
    entryQuantity: ZERO,
    entryNotional: ZERO,
    entryCommission: ZERO,
    exitQuantity: ZERO,
    exitNotional: ZERO,
    gross: ZERO,
    commissions: ZERO,
    realizedToday: ZERO,
    fills: 0,
    touchesDay: false,
  };
}

function toRow(fill: ReportFill, commission: Dec, gross: Dec, realized: Dec, positionAfter: number): FillRow {
  return {
    execId: fill.execId,
    orderId: fill.orderId,
    time: fill.time,
    symbol: fill.symbol,
    currency: fill.currency,
    side: fill.side,
    quantity: fill.quantity,
    price: fill.price,
    commission: commission.toNumber(),
    grossRealizedPnl: money(gross),
    realizedPnl: money(realized),
    realizedSource: fill.brokerRealizedPnl === null ? "computed" : "broker",
    strategy: strategyOf(fill.orderRef),
    orderRef: fill.orderRef,
    positionAfter,
    commissionMissing: fill.commission === null,
  };
}

function finishTrip(trip: OpenTrip): RoundTrip {
  const net = trip.gross.minus(trip.commissions);
  return {
    id: trip.id,
    symbol: trip.symbol,
    currency: trip.currency,
    direction: trip.direction,
    strategy: trip.strategy,
    entryTime: trip.entryTime,
    exitTime: trip.exitTime,
    holdingMs: trip.exitTime === null ? null : trip.exitTime - trip.entryTime,
    quantity: trip.maxQuantity,
    entryPrice: trip.entryNotional.div(trip.entryQuantity).toDecimalPlaces(8).toNumber(),
    exitPrice: trip.exitQuantity.isZero() ? null : trip.exitNotional.div(trip.exitQuantity).toDecimalPlaces(8).toNumber(),
    grossPnl: money(trip.gross),
    commissions: money(trip.commissions),
    netPnl: money(net),
    realizedToday: money(trip.realizedToday),
    fills: trip.fills,
  };
}

/** Money leaves the report rounded to micro-units: exact enough for any sum, free of float noise. */
export function money(value: Dec): number {
  return value.toDecimalPlaces(6).toNumber();
}
