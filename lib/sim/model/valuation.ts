/**
 * Account values as IB Gateway reports them (updateAccountValue / accountSummary), under a
 * simple Reg-T-like margin model: 25% initial and maintenance margin on gross positions,
 * buying power four times the available funds.
 */
import Decimal from "decimal.js";
import { toBase, type Account } from "./account";
import type { Instrument } from "./instruments";

export interface AccountValue {
  key: string;
  value: string;
  currency: string;
}

/** Initial and maintenance margin as a share of gross position value. */
export const MARGIN_RATE = 0.25;
const BUYING_POWER_MULTIPLE = 4;
const money = (amount: Decimal) => amount.toFixed(2);

export interface AccountTotals {
  cash: Decimal;
  stockMarketValue: Decimal;
  grossPositionValue: Decimal;
  netLiquidation: Decimal;
  unrealizedPnl: Decimal;
  realizedPnl: Decimal;
  initMargin: Decimal;
  availableFunds: Decimal;
  excessLiquidity: Decimal;
  buyingPower: Decimal;
}

export function accountTotals(account: Account, markPrice: (instrument: Instrument) => number): AccountTotals {
  let cash = new Decimal(0);
  for (const [currency, amount] of account.cashBalances()) cash = cash.plus(toBase(amount, currency));
  let stockMarketValue = new Decimal(0);
  let grossPositionValue = new Decimal(0);
  let unrealizedPnl = new Decimal(0);
  for (const holding of account.allHoldings()) {
    if (holding.quantity === 0) continue;
    const currency = holding.instrument.currency;
    const value = toBase(new Decimal(markPrice(holding.instrument)).times(holding.quantity), currency);
    stockMarketValue = stockMarketValue.plus(value);
    grossPositionValue = grossPositionValue.plus(value.abs());
    unrealizedPnl = unrealizedPnl.plus(value.minus(toBase(holding.averageCost.times(holding.quantity), currency)));
  }
  const netLiquidation = cash.plus(stockMarketValue);
  const initMargin = grossPositionValue.times(MARGIN_RATE);
  const availableFunds = netLiquidation.minus(initMargin);
  return {
    cash,
    stockMarketValue,
    grossPositionValue,
    netLiquidation,
    unrealizedPnl,
    realizedPnl: account.realizedPnl(),
    initMargin,
    availableFunds,
    excessLiquidity: availableFunds,
    buyingPower: Decimal.max(0, availableFunds.times(BUYING_POWER_MULTIPLE)),
  };
}

export function accountValues(account: Account, markPrice: (instrument: Instrument) => number): AccountValue[] {
  const t = accountTotals(account, markPrice);
  const base = account.baseCurrency;
  const usd = (key: string, amount: Decimal): AccountValue => ({ key, value: money(amount), currency: base });
  const values: AccountValue[] = [
    { key: "AccountCode", value: account.accountId, currency: "" },
    { key: "AccountOrGroup", value: account.accountId, currency: base },
    { key: "AccountReady", value: "true", currency: "" },
    { key: "AccountType", value: "INDIVIDUAL", currency: "" },
    { key: "Currency", value: base, currency: base },
    usd("NetLiquidation", t.netLiquidation),
    usd("TotalCashValue", t.cash),
    usd("SettledCash", t.cash),
    usd("EquityWithLoanValue", t.netLiquidation),
    usd("GrossPositionValue", t.grossPositionValue),
    usd("StockMarketValue", t.stockMarketValue),
    usd("InitMarginReq", t.initMargin),
    usd("MaintMarginReq", t.initMargin),
    usd("FullInitMarginReq", t.initMargin),
    usd("FullMaintMarginReq", t.initMargin),
    usd("AvailableFunds", t.availableFunds),
    usd("FullAvailableFunds", t.availableFunds),
    usd("ExcessLiquidity", t.excessLiquidity),
    usd("FullExcessLiquidity", t.excessLiquidity),
    usd("BuyingPower", t.buyingPower),
    { key: "Cushion", value: t.netLiquidation.isZero() ? "0" : t.excessLiquidity.dividedBy(t.netLiquidation).toFixed(6), currency: "" },
    { key: "DayTradesRemaining", value: "-1", currency: "" },
    usd("UnrealizedPnL", t.unrealizedPnl),
    usd("RealizedPnL", t.realizedPnl),
    { key: "UnrealizedPnL", value: money(t.unrealizedPnl), currency: "BASE" },
    { key: "RealizedPnL", value: money(t.realizedPnl), currency: "BASE" },
    { key: "CashBalance", value: money(t.cash), currency: "BASE" },
    { key: "TotalCashBalance", value: money(t.cash), currency: "BASE" },
    { key: "NetLiquidationByCurrency", value: money(t.netLiquidation), currency: "BASE" },
  ];
  for (const [currency, amount] of account.cashBalances()) {
    values.push({ key: "CashBalance", value: money(amount), currency });
    values.push({ key: "TotalCashBalance", value: money(amount), currency });
  }
  return values;
}

/** Account summary tags resolved against the account values; `$LEDGER[:ALL|:CCY]` expands to the ledger keys. */
export function accountSummaryValues(values: readonly AccountValue[], tagList: string): AccountValue[] {
  const tags = tagList.split(",").map((tag) => tag.trim()).filter(Boolean);
  const result: AccountValue[] = [];
  for (const tag of tags) {
    if (tag.startsWith("$LEDGER")) {
      const scope = tag.split(":")[1]?.toUpperCase() ?? "BASE";
      const ledgerKeys = new Set(["CashBalance", "TotalCashBalance", "NetLiquidationByCurrency", "UnrealizedPnL", "RealizedPnL"]);
      result.push(...values.filter((v) => ledgerKeys.has(v.key) && (scope === "ALL" || v.currency === scope || (scope === "BASE" && v.currency === "BASE"))));
      continue;
    }
    const match = values.find((v) => v.key === tag && v.currency !== "BASE");
    if (match) result.push(match);
  }
  return result;
}
