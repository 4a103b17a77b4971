/**
 * Typed builders for every message the simulator sends, laid out field by field as
 * IB Gateway writes them at the negotiated server version (157..178).
 */
import { bool, dbl, dblOrEmpty, dblOrUnset, decimal, int, UNSET_INT, type Field } from "./fields";

export const OUT = {
  TICK_PRICE: 1,
  TICK_SIZE: 2,
  ORDER_STATUS: 3,
  ERR_MSG: 4,
  OPEN_ORDER: 5,
  ACCT_VALUE: 6,
  PORTFOLIO_VALUE: 7,
  ACCT_UPDATE_TIME: 8,
  NEXT_VALID_ID: 9,
  CONTRACT_DATA: 10,
  EXECUTION_DATA: 11,
  MANAGED_ACCTS: 15,
  HISTORICAL_DATA: 17,
  TICK_GENERIC: 45,
  TICK_STRING: 46,
  CURRENT_TIME: 49,
  CONTRACT_DATA_END: 52,
  OPEN_ORDER_END: 53,
  ACCT_DOWNLOAD_END: 54,
  EXECUTION_DATA_END: 55,
  TICK_SNAPSHOT_END: 57,
  MARKET_DATA_TYPE: 58,
  COMMISSION_REPORT: 59,
  POSITION: 61,
  POSITION_END: 62,
  ACCOUNT_SUMMARY: 63,
  ACCOUNT_SUMMARY_END: 64,
  ACCOUNT_UPDATE_MULTI: 73,
  ACCOUNT_UPDATE_MULTI_END: 74,
  TICK_REQ_PARAMS: 81,
  HEAD_TIMESTAMP: 88,
  HISTORICAL_DATA_UPDATE: 90,
  PNL: 94,
  PNL_SINGLE: 95,
  COMPLETED_ORDER: 101,
  COMPLETED_ORDERS_END: 102,
} as const;

/** Server versions at which a message's layout changes (names as in the TWS API). */
export const SERVER_VERSION = {
  MIN_SUPPORTED: 157,
  MAX_SUPPORTED: 178,
  FA_PROFILE_DESUPPORT: 177,
  PENDING_PRICE_REVISION: 178,
} as const;

export type Message = Field[];

/** The contract fields both directions of the wire carry. */
export interface ContractIdentity {
  conId: number;
  symbol: string;
  secType: string;
  exchange: string;
  primaryExchange: string;
  currency: string;
  localSymbol: string;
}

export interface WireContract extends ContractIdentity {
  tradingClass: string;
}

export interface WireOrder {
  orderId: number;
  clientId: number;
  permId: number;
  parentId: number;
  account: string;
  action: "BUY" | "SELL";
  totalQuantity: number;
  orderType: string;
  lmtPrice: number | undefined;
  auxPrice: number | undefined;
  tif: string;
  ocaGroup: string;
  ocaType: number;
  orderRef: string;
  outsideRth: boolean;
  trailStopPrice: number | undefined;
  trailingPercent: number | undefined;
  goodTillDate: string;
  transmit: boolean;
}

export interface WireOrderStatus {
  orderId: number;
  status: string;
  filled: number;
  remaining: number;
  avgFillPrice: number;
  permId: number;
  parentId: number;
  lastFillPrice: number;
  clientId: number;
  whyHeld: string;
}

export interface WireExecution {
  execId: string;
  orderId: number;
  clientId: number;
  permId: number;
  time: string;
  account: string;
  exchange: string;
  side: "BOT" | "SLD";
  shares: number;
  price: number;
  cumQty: number;
  avgPrice: number;
  orderRef: string;
  lastLiquidity: number;
}

export interface WireCommission {
  execId: string;
  commission: number;
  currency: string;
  /** undefined on opening fills: TWS then sends Double.MAX_VALUE. */
  realizedPnl: number | undefined;
}

export interface WireContractDetails {
  contract: WireContract;
  marketName: string;
  minTick: number;
  orderTypes: string;
  validExchanges: string;
  longName: string;
  industry: string;
  category: string;
  subcategory: string;
  timeZoneId: string;
  tradingHours: string;
  liquidHours: string;
  secIds: ReadonlyArray<{ tag: string; value: string }>;
  marketRuleIds: string;
  stockType: string;
}

export interface WireBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  wap: number;
  barCount: number;
}

export interface WirePortfolioItem {
  contract: WireContract;
  position: number;
  marketPrice: number;
  marketValue: number;
  averageCost: number;
  unrealizedPnl: number;
  realizedPnl: number;
  account: string;
}

const id = (messageId: number): Field => String(messageId);

export const managedAccounts = (accounts: readonly string[]): Message => [id(OUT.MANAGED_ACCTS), "1", accounts.join(",")];
export const nextValidId = (orderId: number): Message => [id(OUT.NEXT_VALID_ID), "1", int(orderId)];
export const currentTime = (epochSeconds: number): Message => [id(OUT.CURRENT_TIME), "1", int(epochSeconds)];

/** Errors and notices share one message; id -1 marks a notice not tied to a request. */
export const errorMessage = (requestId: number, code: number, text: string, advancedOrderReject = ""): Message => [
  id(OUT.ERR_MSG),
  "2",
  int(requestId),
  int(code),
  text,
  advancedOrderReject,
];

export const tickPrice = (tickerId: number, tickType: number, price: number, size: number, attribMask = 0): Message => [
  id(OUT.TICK_PRICE),
  "6",
  int(tickerId),
  int(tickType),
  dbl(price),
  decimal(size),
  int(attribMask),
];
export const tickSize = (tickerId: number, tickType: number, size: number): Message => [
  id(OUT.TICK_SIZE),
  "6",
  int(tickerId),
  int(tickType),
  decimal(size),
];
export const tickGeneric = (tickerId: number, tickType: number, value: number): Message => [
  id(OUT.TICK_GENERIC),
  "6",
  int(tickerId),
  int(tickType),
  dbl(value),
];
export const tickString = (tickerId: number, tickType: number, value: string): Message => [
  id(OUT.TICK_STRING),
  "6",
  int(tickerId),
  int(tickType),
  value,
];
export const tickReqParams = (tickerId: number, minTick: number, bboExchange: string, snapshotPermissions: number): Message => [
  id(OUT.TICK_REQ_PARAMS),
  int(tickerId),
  dbl(minTick),
  bboExchange,
  int(snapshotPermissions),
];
export const tickSnapshotEnd = (tickerId: number): Message => [id(OUT.TICK_SNAPSHOT_END), "1", int(tickerId)];
export const marketDataType = (tickerId: number, type: number): Message => [id(OUT.MARKET_DATA_TYPE), "1", int(tickerId), int(type)];

export const accountValue = (key: string, value: string, currency: string, account: string): Message => [
  id(OUT.ACCT_VALUE),
  "2",
  key,
  value,
  currency,
  account,
];
export const accountUpdateTime = (hhmm: string): Message => [id(OUT.ACCT_UPDATE_TIME), "1", hhmm];
export const accountDownloadEnd = (account: string): Message => [id(OUT.ACCT_DOWNLOAD_END), "1", account];
/** A stock's contract as position and portfolio messages carry it: conId .. tradingClass, no expiry, strike or right. */
function holdingContract(c: WireContract): Field[] {
  return [int(c.conId), c.symbol, c.secType, "", "0.0", "", "", c.primaryExchange, c.currency, c.localSymbol, c.tradingClass];
}

export const portfolioValue = (item: WirePortfolioItem): Message => {
  return [
    id(OUT.PORTFOLIO_VALUE),
    "8",
    ...holdingContract(item.contract),
    decimal(item.position),
    dbl(item.marketPrice),
    dbl(item.marketValue),
    dbl(item.averageCost),
    dbl(item.unrealizedPnl),
    dbl(item.realizedPnl),
    item.account,
  ];
};

export const accountSummary = (reqId: number, account: string, tag: string, value: string, currency: string): Message => [
  id(OUT.ACCOUNT_SUMMARY),
  "1",
  int(reqId),
  account,
  tag,
  value,
  currency,
];
export const accountSummaryEnd = (reqId: number): Message => [id(OUT.ACCOUNT_SUMMARY_END), "1", int(reqId)];
export const accountUpdateMulti = (
  reqId: number,
  account: string,
  modelCode: string,
  key: string,
  value: string,
  currency: string,
): Message => [id(OUT.ACCOUNT_UPDATE_MULTI), "1", int(reqId), account, modelCode, key, value, currency];
export const accountUpdateMultiEnd = (reqId: number): Message => [id(OUT.ACCOUNT_UPDATE_MULTI_END), "1", int(reqId)];

export const position = (account: string, c: WireContract, quantity: number, averageCost: number): Message => [
  id(OUT.POSITION),
  "3",
  account,
  ...holdingContract(c),
  decimal(quantity),
  dbl(averageCost),
];
export const positionEnd = (): Message => [id(OUT.POSITION_END), "1"];

export const contractData = (reqId: number, d: WireContractDetails): Message => {
  const c = d.contract;
  return [
    id(OUT.CONTRACT_DATA),
    int(reqId),
    c.symbol,
    c.secType,
    "",
    "0.0",
    "",
    c.exchange,
    c.currency,
    c.localSymbol,
    d.marketName,
    c.tradingClass,
    int(c.conId),
    dbl(d.minTick),
    "",
    d.orderTypes,
    d.validExchanges,
    "1",
    "0",
    d.longName,
    c.primaryExchange,
    "",
    d.industry,
    d.category,
    d.subcategory,
    d.timeZoneId,
    d.tradingHours,
    d.liquidHours,
    "",
    "",
    int(d.secIds.length),
    ...d.secIds.flatMap((s) => [s.tag, s.value]),
    "1",
    "",
    "",
    d.marketRuleIds,
    "",
    d.stockType,
    "1",
    "1",
    "100",
  ];
};
export const contractDataEnd = (reqId: number): Message => [id(OUT.CONTRACT_DATA_END), "1", int(reqId)];

export const orderStatus = (s: WireOrderStatus): Message => [
  id(OUT.ORDER_STATUS),
  int(s.orderId),
  s.status,
  decimal(s.filled),
  decimal(s.remaining),
  dbl(s.avgFillPrice),
  int(s.permId),
  int(s.parentId),
  dbl(s.lastFillPrice),
  int(s.clientId),
  s.whyHeld,
  "0",
];

function openOrderContract(c: WireContract): Field[] {
  // Real TWS reports right "?" and an empty multiplier for stocks.
  return [int(c.conId), c.symbol, c.secType, "", "0", "?", "", c.exchange, c.currency, c.localSymbol, c.tradingClass];
}

/** OPEN_ORDER at server version >= 145 (no version field); faProfile only below 177. */
export const openOrder = (serverVersion: number, c: WireContract, o: WireOrder, status: string): Message => {
  const fields: Field[] = [
    id(OUT.OPEN_ORDER),
    int(o.orderId),
    ...openOrderContract(c),
    o.action,
    decimal(o.totalQuantity),
    o.orderType,
    dbl(o.lmtPrice ?? 0),
    dbl(o.auxPrice ?? 0),
    o.tif,
    o.ocaGroup,
    o.account,
    "",
    "0",
    o.orderRef,
    int(o.clientId),
    int(o.permId),
    bool(o.outsideRth),
    "0",
    "0",
    "",
    "",
    "",
    "",
    "",
  ];
  if (serverVersion < SERVER_VERSION.FA_PROFILE_DESUPPORT) fields.push("");
  fields.push(
    "", // modelCode
    o.goodTillDate,
    "", // rule80A
    "", // percentOffset
    "", // settlingFirm
    "0", // shortSaleSlot
    "", // designatedLocation
    "-1", // exemptCode
    "0", // auctionStrategy
    "", "", "", // startingPrice, stockRefPrice, delta
    "", "", // stockRangeLower, stockRangeUpper
    UNSET_INT, // displaySize
    "0", "0", "0", // blockOrder, sweepToFill, allOrNone
    "", // minQty
    int(o.ocaType),
    "0", "0", // eTradeOnly, firmQuoteOnly
    "", // nbboPriceCap
    int(o.parentId),
    "0", // triggerMethod
    "", "0", // volatility, volatilityType
    "None", "", // deltaNeutralOrderType, deltaNeutralAuxPrice
    "0", "", "", "", // deltaNeutral conId, settlingFirm, clearingAccount, clearingIntent
    "?", "0", "0", "", // deltaNeutral openClose, shortSale, shortSaleSlot, designatedLocation
    "0", // continuousUpdate
    "0", // referencePriceType
    dblOrEmpty(o.trailStopPrice),
    dblOrEmpty(o.trailingPercent),
    "", "", // basisPoints, basisPointsType
    "", // comboLegsDescription
    "0", "0", // comboLegs, orderComboLegs
    "0", // smartComboRoutingParams
    "", "", "", // scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement
    "", // hedgeType
    "0", // optOutSmartRouting
    "", "", // clearingAccount, clearingIntent
    "0", // notHeld
    "0", // deltaNeutralContract present
    "", // algoStrategy
    "0", // solicited
    "0", // whatIf
    status,
    "", "", "", "", "", "", "", "", "", // margin before/change/after (what-if only)
    "", "", "", // commission, minCommission, maxCommission
    "", // commissionCurrency
    "", // warningText
    "0", "0", // randomizeSize, randomizePrice
    "0", // conditions
    "", // adjustedOrderType
    "", // triggerPrice
    dblOrEmpty(o.trailStopPrice), "", // trailStopPrice (read again here), lmtPriceOffset
    "", "", "", // adjustedStopPrice, adjustedStopLimitPrice, adjustedTrailingAmount
    "0", // adjustableTrailingUnit
    "", "", "", // softDollarTier name, value, displayName
    "", // cashQty
    "0", // dontUseAutoPriceForHedge
    "0", // isOmsContainer
    "0", // discretionaryUpToLimitPrice
    "0", // usePriceMgmtAlgo
    UNSET_INT, // duration
    UNSET_INT, // postToAts
    "0", // autoCancelParent
    UNSET_INT, UNSET_INT, "", "", "", // minTradeQty, minCompeteSize, competeAgainstBestOffset, midOffsetAtWhole, midOffsetAtHalf
  );
  return fields;
};
export const openOrderEnd = (): Message => [id(OUT.OPEN_ORDER_END), "1"];

/** How a completed order ended, as COMPLETED_ORDER reports it. */
export interface WireCompletion {
  status: string;
  filledQuantity: number;
  /** `yyyyMMdd HH:mm:ss <zone>`, as TWS writes completedTime. */
  completedTime: string;
  /** TWS's words for the end: "Cancelled by Trader", "Filled Size: 10", a rejection's text. */
  completedStatus: string;
}

/**
 * COMPLETED_ORDER (no version field, no order id or client id: clients match by permId or
 * orderRef). Its own field sequence, shorter than OPEN_ORDER's; faProfile only below 177.
 */
export const completedOrder = (serverVersion: number, c: WireContract, o: WireOrder, end: WireCompletion): Message => {
  const fields: Field[] = [
    id(OUT.COMPLETED_ORDER),
    ...openOrderContract(c),
    o.action,
    decimal(o.totalQuantity),
    o.orderType,
    dbl(o.lmtPrice ?? 0),
    dbl(o.auxPrice ?? 0),
    o.tif,
    o.ocaGroup,
    o.account,
    "", // openClose
    "0", // origin
    o.orderRef,
    int(o.permId),
    bool(o.outsideRth),
    "0", // hidden
    "0", // discretionaryAmt
    "", // goodAfterTime
    "", "", "", // faGroup, faMethod, faPercentage
  ];
  if (serverVersion < SERVER_VERSION.FA_PROFILE_DESUPPORT) fields.push("");
  fields.push(
    "", // modelCode
    o.goodTillDate,
    "", // rule80A
    "", // percentOffset
    "", // settlingFirm
    "0", // shortSaleSlot
    "", // designatedLocation
    "-1", // exemptCode
    "", "", "", // startingPrice, stockRefPrice, delta
    "", "", // stockRangeLower, stockRangeUpper
    UNSET_INT, // displaySize
    "0", "0", // sweepToFill, allOrNone
    "", // minQty
    int(o.ocaType),
    "0", // triggerMethod
    "", "0", // volatility, volatilityType
    "None", "", // deltaNeutralOrderType, deltaNeutralAuxPrice
    "0", // deltaNeutral conId
    "0", "0", "", // deltaNeutral shortSale, shortSaleSlot, designatedLocation
    "0", // continuousUpdate
    "0", // referencePriceType
    dblOrEmpty(o.trailStopPrice),
    dblOrEmpty(o.trailingPercent),
    "", // comboLegsDescription
    "0", "0", // comboLegs, orderComboLegs
    "0", // smartComboRoutingParams
    "", "", "", // scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement
    "", // hedgeType
    "", "", // clearingAccount, clearingIntent
    "0", // notHeld
    "0", // deltaNeutralContract present
    "", // algoStrategy
    "0", // solicited
    end.status,
    "0", "0", // randomizeSize, randomizePrice
    "0", // conditions
    dblOrEmpty(o.trailStopPrice), "", // trailStopPrice, lmtPriceOffset
    "", // cashQty
    "0", // dontUseAutoPriceForHedge
    "0", // isOmsContainer
    "", // autoCancelDate
    decimal(end.filledQuantity),
    "0", // refFuturesConId
    "0", // autoCancelParent
    "", // shareholder
    "0", // imbalanceOnly
    "0", // routeMarketableToBbo
    "0", // parentPermId
    end.completedTime,
    end.completedStatus,
    UNSET_INT, UNSET_INT, "", "", "", // minTradeQty, minCompeteSize, competeAgainstBestOffset, midOffsetAtWhole, midOffsetAtHalf
  );
  return fields;
};
export const completedOrdersEnd = (): Message => [id(OUT.COMPLETED_ORDERS_END)];

/** EXECUTION_DATA at server version >= 136; pendingPriceRevision from 178. */
export const executionData = (serverVersion: number, reqId: number, c: WireContract, e: WireExecution): Message => {
  const fields: Field[] = [
    id(OUT.EXECUTION_DATA),
    int(reqId),
    int(e.orderId),
    int(c.conId),
    c.symbol,
    c.secType,
    "",
    "0.0",
    "",
    "",
    e.exchange,
    c.currency,
    c.localSymbol,
    c.tradingClass,
    e.execId,
    e.time,
    e.account,
    e.exchange,
    e.side,
    decimal(e.shares),
    dbl(e.price),
    int(e.permId),
    int(e.clientId),
    "0",
    decimal(e.cumQty),
    dbl(e.avgPrice),
    e.orderRef,
    "",
    "",
    "",
    int(e.lastLiquidity),
  ];
  if (serverVersion >= SERVER_VERSION.PENDING_PRICE_REVISION) fields.push("0");
  return fields;
};
export const executionDataEnd = (reqId: number): Message => [id(OUT.EXECUTION_DATA_END), "1", int(reqId)];

export const commissionReport = (r: WireCommission): Message => [
  id(OUT.COMMISSION_REPORT),
  "1",
  r.execId,
  dbl(r.commission),
  r.currency,
  dblOrUnset(r.realizedPnl),
  dblOrUnset(undefined),
  "",
];

export const historicalData = (reqId: number, start: string, end: string, bars: readonly WireBar[]): Message => [
  id(OUT.HISTORICAL_DATA),
  int(reqId),
  start,
  end,
  int(bars.length),
  ...bars.flatMap((b) => [b.date, dbl(b.open), dbl(b.high), dbl(b.low), dbl(b.close), decimal(b.volume), dbl(b.wap), int(b.barCount)]),
];
/** Real TWS sends the update's prices as open, close, high, low. */
export const historicalDataUpdate = (reqId: number, b: WireBar): Message => [
  id(OUT.HISTORICAL_DATA_UPDATE),
  int(reqId),
  int(b.barCount),
  b.date,
  dbl(b.open),
  dbl(b.close),
  dbl(b.high),
  dbl(b.low),
  dbl(b.wap),
  decimal(b.volume),
];
export const headTimestamp = (reqId: number, timestamp: string): Message => [id(OUT.HEAD_TIMESTAMP), int(reqId), timestamp];
export const pnl = (reqId: number, daily: number, unrealized: number, realized: number): Message => [
  id(OUT.PNL),
  int(reqId),
  dbl(daily),
  dbl(unrealized),
  dbl(realized),
];
export const pnlSingle = (reqId: number, pos: number, daily: number, unrealized: number, realized: number, value: number): Message => [
  id(OUT.PNL_SINGLE),
  int(reqId),
  decimal(pos),
  dbl(daily),
  dbl(unrealized),
  dbl(realized),
  dbl(value),
];
