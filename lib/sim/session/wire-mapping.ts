/** Maps the exchange model's records onto the wire builders' shapes. */
import type { Instrument } from "../model/instruments";
import type { CommissionRecord, ExecutionRecord, SimOrder } from "../model/orders";
import type { WireCommission, WireContract, WireContractDetails, WireExecution, WireOrder, WireOrderStatus } from "../wire/outgoing";

const ORDER_TYPES_STK =
  "ACTIVETIM,AD,ADJUST,ALERT,ALGO,ALLOC,AON,AVGCOST,BASKET,BENCHPX,CASHQTY,COND,CONDORDER,DARKONLY,DARKPOLL,DAY,DEACT,DEACTDIS,DEACTEOD,DIS,DUR,GAT,GTC,GTD,GTT,HID,IBKRATS,ICE,IMB,IOC,LIT,LMT,LOC,MIDPX,MIT,MKT,MOC,MTL,NGCOMB,NODARK,NONALGO,OCA,OPG,OPGREROUT,PEGBENCH,PEGMID,POSTATS,POSTONLY,PREOPGRTH,PRICECHK,REL,REL2MID,RELPCTOFS,RPI,RTH,SCALE,SCALEODD,SCALERST,SIZECHK,SNAPMID,SNAPMKT,SNAPREL,STP,STPLMT,SWEEP,TRAIL,TRAILLIT,TRAILLMT,TRAILMIT,WHATIF";

export function toWireContract(instrument: Instrument): WireContract {
  return {
    conId: instrument.conId,
    symbol: instrument.symbol,
    secType: instrument.secType,
    exchange: instrument.exchange,
    primaryExchange: instrument.primaryExchange,
    currency: instrument.currency,
    localSymbol: instrument.localSymbol,
    tradingClass: instrument.tradingClass,
  };
}

/** Trading hours in TWS's `yyyyMMdd:HHmm-yyyyMMdd:HHmm;...` form for the next seven days. */
export function sessionHours(instrument: Instrument, window: { open: number; close: number }, fromMs: number): string {
  const days: string[] = [];
  for (let offset = 0; offset < 7; offset++) {
    const date = new Date(fromMs + offset * 86_400_000);
    const ymd = date.toISOString().slice(0, 10).replace(/-/g, "");
    const weekday = date.getUTCDay();
    if (weekday === 0 || weekday === 6) {
      days.push(`${ymd}:CLOSED`);
      continue;
    }
    const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}${String(minutes % 60).padStart(2, "0")}`;
    days.push(`${ymd}:${hhmm(window.open)}-${ymd}:${hhmm(window.close)}`);
  }
  return days.join(";");
}

export function toWireContractDetails(instrument: Instrument, nowMs = Date.now()): WireContractDetails {
  return {
    contract: toWireContract(instrument),
    marketName: instrument.tradingClass,
    minTick: instrument.minTick,
    orderTypes: ORDER_TYPES_STK,
    validExchanges: instrument.currency === "USD" ? "SMART,AMEX,NYSE,CBOE,ARCA,ISLAND,BATS,IEX" : `SMART,${instrument.primaryExchange}`,
    longName: instrument.longName,
    industry: instrument.industry,
    category: instrument.category,
    subcategory: "",
    timeZoneId: instrument.timeZoneId,
    tradingHours: sessionHours(instrument, instrument.extendedHours, nowMs),
    liquidHours: sessionHours(instrument, instrument.regularHours, nowMs),
    secIds: [{ tag: "ISIN", value: instrument.isin }],
    marketRuleIds: instrument.currency === "USD" ? "26,26,26,26,26,26,26,26" : "1,1",
    stockType: instrument.symbol === "SPY" || instrument.symbol === "QQQ" ? "ETF" : "COMMON",
  };
}

export function toWireOrder(order: SimOrder): WireOrder {
  return {
    orderId: order.orderId,
    clientId: order.clientId,
    permId: order.permId,
    parentId: order.parentId,
    account: order.account,
    action: order.action,
    totalQuantity: order.totalQuantity,
    orderType: order.orderType,
    lmtPrice: order.lmtPrice,
    auxPrice: order.auxPrice,
    tif: order.tif,
    ocaGroup: order.ocaGroup,
    ocaType: order.ocaType || 3,
    orderRef: order.orderRef,
    outsideRth: order.outsideRth,
    trailStopPrice: order.trailStopPrice,
    trailingPercent: order.trailingPercent,
    goodTillDate: order.goodTillDate,
    transmit: order.transmit,
  };
}

export function toWireOrderStatus(order: SimOrder): WireOrderStatus {
  return {
    orderId: order.orderId,
    status: order.status,
    filled: order.filled,
    remaining: order.totalQuantity - order.filled,
    avgFillPrice: order.avgFillPrice,
    permId: order.permId,
    parentId: order.parentId,
    lastFillPrice: order.lastFillPrice,
    clientId: order.clientId,
    whyHeld: "",
  };
}

export function toWireExecution(execution: ExecutionRecord): WireExecution {
  return {
    execId: execution.execId,
    orderId: execution.orderId,
    clientId: execution.clientId,
    permId: execution.permId,
    time: execution.time,
    account: execution.account,
    exchange: execution.exchange,
    side: execution.side,
    shares: execution.shares,
    price: execution.price,
    cumQty: execution.cumQty,
    avgPrice: execution.avgPrice,
    orderRef: execution.orderRef,
    lastLiquidity: 2,
  };
}

export function toWireCommission(record: CommissionRecord): WireCommission {
  return {
    execId: record.execId,
    commission: record.commission.toNumber(),
    currency: record.currency,
    realizedPnl: record.realizedPnl?.toDecimalPlaces(6).toNumber(),
  };
}
