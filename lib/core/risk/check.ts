import type { Side } from "../model/order";
import type { TradeIntent } from "../ports";
import { wallTimeAt } from "../time/zoned-time";
import type { RiskLimits } from "./limits";

/**
 * ACTIVE trades normally; REDUCING accepts only orders that shrink a position; HALTED accepts
 * nothing but cancels and flatten. Leaving REDUCING or HALTED takes a manual resume.
 */
export const TRADING_MODES = ["ACTIVE", "REDUCING", "HALTED"] as const;
export type TradingMode = (typeof TRADING_MODES)[number];

export type RiskRule =
  | "trading-state"
  | "data-entitlement"
  | "trading-window"
  | "duplicate-intent"
  | "orders-per-minute"
  | "fat-finger"
  | "risk-per-trade"
  | "position-size"
  | "position-notional"
  | "open-positions"
  | "gross-exposure"
  | "net-exposure"
  | "concentration";

/** A trade intent as the risk engine judges it: the core's intent plus the order's prices. */
export interface RiskIntent extends TradeIntent {
  readonly strategy?: string | null;
  readonly limitPrice?: number | null;
  readonly stopPrice?: number | null;
}

export interface HeldPosition {
  readonly symbol: string;
  /** Signed: short positions are negative. */
  readonly quantity: number;
  /** Mark price (last trade, else average cost). */
  readonly price: number;
}

export type MarketDataStatus = "live" | "delayed" | "none";

/** The whole account as the risk engine sees it at the moment of a check. */
export interface RiskSnapshot {
  readonly now: number;
  readonly mode: TradingMode;
  readonly equity: number;
  readonly positions: readonly HeldPosition[];
  /** Last trade price of the intent's symbol, null when none has been seen. */
  readonly lastPrice: number | null;
  readonly marketData: MarketDataStatus;
  /** Whether the exchange's regular session is open now. */
  readonly sessionOpen: boolean;
  /** Times (epoch ms) of orders approved recently. */
  readonly recentOrders: readonly number[];
  /** Keys (see {@link intentKey}) and times of intents approved recently. */
  readonly recentIntents: readonly { readonly key: string; readonly at: number }[];
}

export type RiskVerdict =
  | { readonly approved: true }
  | { readonly approved: false; readonly rule: RiskRule; readonly reason: string };

const APPROVED: RiskVerdict = { approved: true };
const MINUTE_MS = 60_000;

const deny = (rule: RiskRule, reason: string): RiskVerdict => ({ approved: false, rule, reason });

const signed = (side: Side, quantity: number) => (side === "BUY" ? quantity : -quantity);

/**
 * Same strategy, purpose, symbol, side and quantity: what the duplicate guard compares. The
 * purpose keeps a reversal apart: closing a long of 10 and opening a short of 10 are both
 * SELL 10, yet they are two decisions, not one sent twice.
 */
export function intentKey(intent: RiskIntent): string {
  return [intent.strategy ?? "", intent.purpose, intent.symbol, intent.side, intent.quantity].join("|");
}

/** An order that only shrinks the position it trades against (never flips or grows it). */
export function isReducing(intent: Pick<TradeIntent, "side" | "quantity">, position: number): boolean {
  return position !== 0 && Math.sign(signed(intent.side, 1)) !== Math.sign(position) && intent.quantity <= Math.abs(position);
}

/**
 * Judges one intent against every limit; the first rule it breaks is the answer. Orders that
 * only reduce a position face just the trading state, the rate guards and the price band.
 */
export function check(intent: RiskIntent, snapshot: RiskSnapshot, limits: RiskLimits): RiskVerdict {
  const held = snapshot.positions.find((position) => position.symbol === intent.symbol)?.quantity ?? 0;
  const reducing = isReducing(intent, held);
  const checks = reducing ? REDUCING_CHECKS : ALL_CHECKS;
  for (const rule of checks) {
    const verdict = rule(intent, snapshot, limits, held);
    if (!verdict.approved) return verdict;
  }
  return APPROVED;
}

type Check = (intent: RiskIntent, snapshot: RiskSnapshot, limits: RiskLimits, held: number) => RiskVerdict;

export const checkTradingState: Check = (intent, snapshot, _limits, held) => {
  if (snapshot.mode === "HALTED") return deny("trading-state", "trading is HALTED: only cancels and flatten are allowed until someone resumes");
  if (snapshot.mode === "REDUCING" && !isReducing(intent, held)) {
    return deny("trading-state", `trading is REDUCING: ${intent.side} ${intent.quantity} ${intent.symbol} would not reduce the position of ${held}`);
  }
  return APPROVED;
};

export const checkDataEntitlement: Check = (intent, snapshot, limits) => {
  if (!limits.requireLiveData || snapshot.marketData === "live") return APPROVED;
  const what = snapshot.marketData === "delayed" ? "only delayed market data" : "no market data";
  return deny("data-entitlement", `${intent.symbol} has ${what}; entries need live data`);
};

export const checkTradingWindow: Check = (intent, snapshot, limits) => {
  if (!snapshot.sessionOpen) return deny("trading-window", `the exchange session for ${intent.symbol} is closed`);
  const window = limits.tradingWindow;
  if (!window) return APPROVED;
  const wall = wallTimeAt(snapshot.now, window.timeZone);
  const local = `${String(wall.hour).padStart(2, "0")}:${String(wall.minute).padStart(2, "0")}`;
  if (local >= window.start && local < window.end) return APPROVED;
  return deny("trading-window", `${local} ${window.timeZone} is outside the trading window ${window.start}-${window.end}`);
};

export const checkDuplicate: Check = (intent, snapshot, limits) => {
  if (intent.purpose === "protect") return APPROVED;
  const key = intentKey(intent);
  const since = snapshot.now - limits.duplicateWindowSeconds * 1_000;
  const earlier = snapshot.recentIntents.find((entry) => entry.key === key && entry.at > since);
  if (!earlier) return APPROVED;
  const ago = ((snapshot.now - earlier.at) / 1_000).toFixed(1);
  return deny("duplicate-intent", `the same ${intent.side} ${intent.quantity} ${intent.symbol} was approved ${ago}s ago (window ${limits.duplicateWindowSeconds}s)`);
};

export const checkOrderRate: Check = (intent, snapshot, limits) => {
  if (intent.purpose === "protect") return APPROVED;
  const since = snapshot.now - MINUTE_MS;
  const lastMinute = snapshot.recentOrders.filter((at) => at > since).length;
  if (lastMinute < limits.maxOrdersPerMinute) return APPROVED;
  return deny("orders-per-minute", `${lastMinute} orders in the last minute reach the limit of ${limits.maxOrdersPerMinute}`);
};

export const checkFatFinger: Check = (intent, snapshot, limits) => {
  const price = intent.limitPrice;
  if (price === undefined || price === null) return APPROVED;
  if (snapshot.lastPrice === null) return deny("fat-finger", `no last trade for ${intent.symbol} to compare the limit ${price} with`);
  const distancePct = (Math.abs(price - snapshot.lastPrice) / snapshot.lastPrice) * 100;
  if (distancePct <= limits.fatFingerPct) return APPROVED;
  return deny(
    "fat-finger",
    `limit ${price} is ${distancePct.toFixed(2)}% from the last trade ${snapshot.lastPrice} in ${intent.symbol} (band ${limits.fatFingerPct}%)`,
  );
};

export const checkRiskPerTrade: Check = (intent, snapshot, limits) => {
  const stop = intent.stopPrice;
  if (stop === undefined || stop === null) {
    return limits.requireStop ? deny("risk-per-trade", `the ${intent.symbol} entry has no stop, so its risk cannot be measured`) : APPROVED;
  }
  const entry = intent.limitPrice ?? intent.referencePrice;
  const risk = Math.abs(entry - stop) * intent.quantity;
  const allowed = (snapshot.equity * limits.maxRiskPerTradePct) / 100;
  if (risk <= allowed) return APPROVED;
  return deny(
    "risk-per-trade",
    `risk ${risk.toFixed(2)} (${intent.quantity} x stop distance ${Math.abs(entry - stop).toFixed(2)}) exceeds ${limits.maxRiskPerTradePct}% of equity (${allowed.toFixed(2)})`,
  );
};

export const checkPositionSize: Check = (intent, _snapshot, limits, held) => {
  const resulting = Math.abs(held + signed(intent.side, intent.quantity));
  if (resulting <= limits.maxPositionShares) return APPROVED;
  return deny("position-size", `position of ${resulting} ${intent.symbol} would exceed the ${limits.maxPositionShares} share limit`);
};

export const checkPositionNotional: Check = (intent, _snapshot, limits, held) => {
  const notional = Math.abs(held + signed(intent.side, intent.quantity)) * priceOf(intent);
  if (notional <= limits.maxPositionNotional) return APPROVED;
  return deny("position-notional", `position worth ${notional.toFixed(2)} in ${intent.symbol} would exceed the ${limits.maxPositionNotional} limit`);
};

export const checkOpenPositions: Check = (intent, snapshot, limits, held) => {
  if (held !== 0) return APPROVED;
  const open = snapshot.positions.filter((position) => position.quantity !== 0).length;
  if (open < limits.maxOpenPositions) return APPROVED;
  return deny("open-positions", `${open} open positions already reach the limit of ${limits.maxOpenPositions}; ${intent.symbol} would be one more`);
};

export const checkGrossExposure: Check = (intent, snapshot, limits) => {
  const gross = after(intent, snapshot).reduce((sum, value) => sum + Math.abs(value), 0);
  return exposureVerdict("gross-exposure", "gross exposure", gross, snapshot.equity, limits.maxGrossExposurePct);
};

export const checkNetExposure: Check = (intent, snapshot, limits) => {
  const net = Math.abs(after(intent, snapshot).reduce((sum, value) => sum + value, 0));
  return exposureVerdict("net-exposure", "net exposure", net, snapshot.equity, limits.maxNetExposurePct);
};

export const checkConcentration: Check = (intent, snapshot, limits, held) => {
  const value = Math.abs(held + signed(intent.side, intent.quantity)) * priceOf(intent);
  return exposureVerdict("concentration", `${intent.symbol} concentration`, value, snapshot.equity, limits.maxConcentrationPct);
};

const REDUCING_CHECKS: readonly Check[] = [checkTradingState, checkDuplicate, checkOrderRate, checkFatFinger];

const ALL_CHECKS: readonly Check[] = [
  checkTradingState,
  checkDataEntitlement,
  checkTradingWindow,
  checkDuplicate,
  checkOrderRate,
  checkFatFinger,
  checkRiskPerTrade,
  checkPositionSize,
  checkPositionNotional,
  checkOpenPositions,
  checkGrossExposure,
  checkNetExposure,
  checkConcentration,
];

function priceOf(intent: RiskIntent): number {
  return intent.limitPrice ?? intent.referencePrice;
}

/** Signed position values per symbol once the intent has filled. */
function after(intent: RiskIntent, snapshot: RiskSnapshot): number[] {
  const values = snapshot.positions.filter((position) => position.symbol !== intent.symbol).map((position) => position.quantity * position.price);
  const held = snapshot.positions.find((position) => position.symbol === intent.symbol)?.quantity ?? 0;
  values.push((held + signed(intent.side, intent.quantity)) * priceOf(intent));
  return values;
}

function exposureVerdict(rule: RiskRule, label: string, value: number, equity: number, limitPct: number): RiskVerdict {
  if (!(equity > 0)) return deny(rule, `equity is ${equity}, so no exposure can be taken`);
  const pct = (value / equity) * 100;
  if (pct <= limitPct) return APPROVED;
  return deny(rule, `${label} would be ${value.toFixed(2)} (${pct.toFixed(1)}% of equity ${equity.toFixed(2)}), above the ${limitPct}% limit`);
}
