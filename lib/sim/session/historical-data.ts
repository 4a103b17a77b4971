/**
 * reqHistoricalData / cancelHistoricalData / reqHeadTimestamp: validation, pacing, bars from
 * the seeded history (or replayed data), and keepUpToDate streaming of the forming bar.
 */
import { wallTimeAt } from "@/lib/core/time/zoned-time";
import type { Exchange } from "../model/exchange";
import { barSizeMinutes, barTimes, durationMs, generateBars, parseEndDateTime, spanStart, type Bar } from "../model/history";
import type { Instrument } from "../model/instruments";
import type { Quote } from "../model/market";
import { HistoricalPacer } from "../model/pacing";
import type { HistoricalDataRequest } from "../wire/incoming";
import * as out from "../wire/outgoing";
import type { WireBar } from "../wire/outgoing";

/** What the service needs of a connection. */
export interface HistoryClient {
  send(message: out.Message): void;
  sendError(id: number, code: number, text: string): void;
  resolveInstrument(request: HistoricalDataRequest["contract"]): Instrument | undefined;
}

const WHAT_TO_SHOW = new Set(["TRADES", "MIDPOINT", "BID", "ASK", "BID_ASK"]);
const HMDS_PREFIX = "Historical Market Data Service error message:";

interface LiveBarSubscription {
  client: HistoryClient;
  reqId: number;
  instrument: Instrument;
  barMs: number;
  whatToShow: string;
  formatDate: number;
  bar: Bar | null;
}

export interface ReplayedBars {
  /** Bars of `instrument` from a replayed data file, oldest first, or undefined when not replayed. */
  barsFor(instrument: Instrument): readonly Bar[] | undefined;
}

const pad = (value: number) => String(value).padStart(2, "0");

export function formatBarDate(time: number, instrument: Instrument, daily: boolean, formatDate: number): string {
  const wall = wallTimeAt(time, instrument.timeZoneId);
  const date = `${wall.year}${pad(wall.month)}${pad(wall.day)}`;
  if (daily) return date;
  if (formatDate === 2) return String(Math.floor(time / 1000));
  return `${date} ${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)} ${instrument.timeZoneId}`;
}

export class HistoricalDataService {
  private readonly pacer = new HistoricalPacer();
  private readonly live = new Map<HistoryClient, Map<number, LiveBarSubscription>>();

  constructor(
    private readonly exchange: Exchange,
    private readonly seed: number,
    private readonly now: () => number,
    private readonly pacingEnforced: () => boolean,
    private readonly replay?: ReplayedBars,
  ) {}

  request(client: HistoryClient, request: HistoricalDataRequest): void {
    const instrument = client.resolveInstrument(request.contract);
    if (!instrument) return client.sendError(request.reqId, 200, "No security definition has been found for the request");
    const problem = this.validate(request);
    if (problem) return client.sendError(request.reqId, 321, `Error validating request.-'bX' : cause - ${problem}`);
    const whatToShow = request.whatToShow.toUpperCase();
    if (this.pacingEnforced()) {
      const key = {
        identity: [instrument.conId, request.endDateTime, request.duration, request.barSize, whatToShow, request.useRth, request.formatDate].join("|"),
        contract: `${instrument.conId}|${instrument.exchange}|${whatToShow}`,
        weight: whatToShow === "BID_ASK" ? (2 as const) : (1 as const),
      };
      const violation = this.pacer.admit(key, this.now(), this.openSubscriptions());
      if (violation) return client.sendError(request.reqId, 162, `${HMDS_PREFIX}Historical data request pacing violation (${violation})`);
    }
    const barMinutes = barSizeMinutes(request.barSize) ?? 1;
    const end = parseEndDateTime(request.endDateTime, this.now(), instrument.timeZoneId) ?? this.now();
    const start = spanStart(request.duration, end, instrument, request.useRth) ?? end;
    const bars = this.barsBetween(instrument, barMinutes, start, end, request.useRth);
    if (bars.length === 0) return client.sendError(request.reqId, 162, `${HMDS_PREFIX}HMDS query returned no data: ${instrument.symbol}@SMART ${whatToShow}`);
    const daily = barMinutes >= 1440;
    const wireBars = bars.map((bar) => toWireBar(bar, instrument, whatToShow, daily, request.formatDate));
    const format = (time: number) => formatBarDate(time, instrument, false, 1);
    client.send(out.historicalData(request.reqId, format(start), format(end), wireBars));
    if (request.keepUpToDate) {
      const subscriptions = this.live.get(client) ?? new Map<number, LiveBarSubscription>();
      this.live.set(client, subscriptions);
      subscriptions.set(request.reqId, {
        client,
        reqId: request.reqId,
        instrument,
        barMs: barMinutes * 60_000,
        whatToShow,
        formatDate: request.formatDate,
        bar: null,
      });
    }
  }

  cancel(client: HistoryClient, reqId: number): void {
    this.live.get(client)?.delete(reqId);
  }

  forget(client: HistoryClient): void {
    this.live.delete(client);
  }

  private openSubscriptions(): number {
    let count = 0;
    for (const subscriptions of this.live.values()) count += subscriptions.size;
    return count;
  }

  headTimestamp(client: HistoryClient, reqId: number, contract: HistoricalDataRequest["contract"], formatDate: number): void {
    const instrument = client.resolveInstrument(contract);
    if (!instrument) return client.sendError(reqId, 200, "No security definition has been found for the request");
    const first = this.replay?.barsFor(instrument)?.[0]?.time ?? Date.UTC(2004, 0, 2, 14, 30);
    client.send(out.headTimestamp(reqId, formatDate === 2 ? String(Math.floor(first / 1000)) : formatBarDate(first, instrument, false, 1)));
  }

  /** Streams the forming bar of every keepUpToDate subscription on the instrument. */
  onQuote(instrument: Instrument, quote: Readonly<Quote>): void {
    if (this.live.size === 0) return;
    const now = this.now();
    for (const subscription of [...this.live.values()].flatMap((subscriptions) => [...subscriptions.values()])) {
      if (subscription.instrument.conId !== instrument.conId) continue;
      const price = subscription.whatToShow === "TRADES" ? quote.last : (quote.bid + quote.ask) / 2;
      const barStart = Math.floor(now / subscription.barMs) * subscription.barMs;
      const bar = subscription.bar;
      subscription.bar =
        bar && bar.time === barStart
          ? { ...bar, high: Math.max(bar.high, price), low: Math.min(bar.low, price), close: price, volume: bar.volume + quote.lastSize }
          : { time: barStart, open: price, high: price, low: price, close: price, volume: quote.lastSize };
      const daily = subscription.barMs >= 86_400_000;
      subscription.client.send(out.historicalDataUpdate(subscription.reqId, toWireBar(subscription.bar, instrument, subscription.whatToShow, daily, subscription.formatDate)));
    }
  }

  private validate(request: HistoricalDataRequest): string | null {
    if (barSizeMinutes(request.barSize) === undefined) return `Historical data bar size setting "${request.barSize}" is invalid.`;
    if (durationMs(request.duration) === undefined) return `Historical data duration "${request.duration}" is invalid.`;
    if (!WHAT_TO_SHOW.has(request.whatToShow.toUpperCase())) return `Historical data whatToShow "${request.whatToShow}" is invalid.`;
    if (request.formatDate !== 1 && request.formatDate !== 2) return `formatDate must be 1 or 2, not ${request.formatDate}.`;
    if (request.keepUpToDate && request.endDateTime.trim() !== "") return "End date not supported with live updates.";
    if (parseEndDateTime(request.endDateTime, 0, "UTC") === undefined) return `End date/time "${request.endDateTime}" is invalid.`;
    return null;
  }

  private barsBetween(instrument: Instrument, barMinutes: number, start: number, end: number, useRth: boolean): Bar[] {
    const replayed = this.replay?.barsFor(instrument);
    if (replayed) return aggregate(replayed.filter((bar) => bar.time >= start && bar.time < end), barMinutes * 60_000);
    const times = barTimes(instrument, barMinutes, start, end, useRth);
    return generateBars(instrument, times, barMinutes, this.exchange.quote(instrument).last, this.seed);
  }
}

/** Merges consecutive bars into bars of `barMs`. */
function aggregate(bars: readonly Bar[], barMs: number): Bar[] {
  const merged: Bar[] = [];
  for (const bar of bars) {
    const start = Math.floor(bar.time / barMs) * barMs;
    const last = merged[merged.length - 1];
    if (last && last.time === start) {
      last.high = Math.max(last.high, bar.high);
      last.low = Math.min(last.low, bar.low);
      last.close = bar.close;
      last.volume += bar.volume;
    } else {
      merged.push({ ...bar, time: start });
    }
  }
  return merged;
}

function toWireBar(bar: Bar, instrument: Instrument, whatToShow: string, daily: boolean, formatDate: number): WireBar {
  const date = formatBarDate(bar.time, instrument, daily, formatDate);
  const priced = { date, open: bar.open, high: bar.high, low: bar.low, close: bar.close };
  if (whatToShow !== "TRADES") return { ...priced, volume: -1, wap: -1, barCount: -1 };
  const wap = Number(((bar.high + bar.low + bar.close) / 3).toFixed(4));
  return { ...priced, volume: bar.volume, wap, barCount: Math.max(1, Math.round(bar.volume / 200)) };
}
