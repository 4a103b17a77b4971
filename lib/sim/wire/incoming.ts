/**
 * Parsers for the client requests the simulator understands, field by field as the TWS
 * API clients write them at server versions 157..178. Each parser reads exactly the
 * fields of its message and throws FieldUnderrunError / FieldFormatError otherwise.
 */
import { FieldFormatError, FieldReader } from "./fields";
import { SERVER_VERSION, type ContractIdentity } from "./outgoing";

export const IN = {
  REQ_MKT_DATA: 1,
  CANCEL_MKT_DATA: 2,
  PLACE_ORDER: 3,
  CANCEL_ORDER: 4,
  REQ_OPEN_ORDERS: 5,
  REQ_ACCOUNT_DATA: 6,
  REQ_EXECUTIONS: 7,
  REQ_IDS: 8,
  REQ_CONTRACT_DATA: 9,
  REQ_AUTO_OPEN_ORDERS: 15,
  REQ_ALL_OPEN_ORDERS: 16,
  REQ_MANAGED_ACCTS: 17,
  REQ_HISTORICAL_DATA: 20,
  CANCEL_HISTORICAL_DATA: 25,
  REQ_CURRENT_TIME: 49,
  REQ_GLOBAL_CANCEL: 58,
  REQ_MARKET_DATA_TYPE: 59,
  REQ_POSITIONS: 61,
  REQ_ACCOUNT_SUMMARY: 62,
  CANCEL_ACCOUNT_SUMMARY: 63,
  CANCEL_POSITIONS: 64,
  START_API: 71,
  REQ_ACCOUNT_UPDATES_MULTI: 76,
  CANCEL_ACCOUNT_UPDATES_MULTI: 77,
  REQ_HEAD_TIMESTAMP: 87,
  REQ_PNL: 92,
  CANCEL_PNL: 93,
  REQ_COMPLETED_ORDERS: 99,
} as const;

export interface ContractQuery extends ContractIdentity {
  secIdType: string;
  secId: string;
}

export interface OrderRequest {
  action: string;
  totalQuantity: number;
  orderType: string;
  lmtPrice: number | undefined;
  auxPrice: number | undefined;
  tif: string;
  ocaGroup: string;
  account: string;
  orderRef: string;
  transmit: boolean;
  parentId: number;
  outsideRth: boolean;
  goodTillDate: string;
  ocaType: number;
  trailStopPrice: number | undefined;
  trailingPercent: number | undefined;
  whatIf: boolean;
}

export interface ExecutionFilter {
  clientId: number;
  account: string;
  time: string;
  symbol: string;
  secType: string;
  exchange: string;
  side: string;
}

export interface HistoricalDataRequest {
  reqId: number;
  contract: ContractQuery;
  endDateTime: string;
  barSize: string;
  duration: string;
  useRth: boolean;
  whatToShow: string;
  formatDate: number;
  keepUpToDate: boolean;
}

export type ClientRequest =
  | { type: "startApi"; clientId: number; capabilities: string }
  | { type: "reqMktData"; reqId: number; contract: ContractQuery; genericTicks: string; snapshot: boolean }
  | { type: "cancelMktData"; reqId: number }
  | { type: "placeOrder"; orderId: number; contract: ContractQuery; order: OrderRequest }
  | { type: "cancelOrder"; orderId: number }
  | { type: "reqOpenOrders" }
  | { type: "reqAllOpenOrders" }
  | { type: "reqAutoOpenOrders"; autoBind: boolean }
  | { type: "reqAccountUpdates"; subscribe: boolean; account: string }
  | { type: "reqExecutions"; reqId: number; filter: ExecutionFilter }
  | { type: "reqIds"; numIds: number }
  | { type: "reqContractDetails"; reqId: number; contract: ContractQuery }
  | { type: "reqManagedAccts" }
  | ({ type: "reqHistoricalData" } & HistoricalDataRequest)
  | { type: "cancelHistoricalData"; reqId: number }
  | { type: "reqHeadTimestamp"; reqId: number; contract: ContractQuery; whatToShow: string; formatDate: number }
  | { type: "reqCurrentTime" }
  | { type: "reqGlobalCancel" }
  | { type: "reqMarketDataType"; marketDataType: number }
  | { type: "reqPositions" }
  | { type: "cancelPositions" }
  | { type: "reqAccountSummary"; reqId: number; group: string; tags: string }
  | { type: "cancelAccountSummary"; reqId: number }
  | { type: "reqAccountUpdatesMulti"; reqId: number; account: string; modelCode: string }
  | { type: "cancelAccountUpdatesMulti"; reqId: number }
  | { type: "reqPnL"; reqId: number; account: string }
  | { type: "cancelPnL"; reqId: number }
  | { type: "reqCompletedOrders" };

export class UnsupportedMessageError extends Error {
  constructor(readonly messageId: number) {
    super(`message id ${messageId} is not supported by the simulator`);
    this.name = "UnsupportedMessageError";
  }
}

/** Contract as sent by reqMktData / placeOrder: conId .. tradingClass (secId pair optional per message). */
function readContract(r: FieldReader, withPrimaryExchange: boolean): ContractQuery {
  const conId = r.int("conId");
  const symbol = r.str("symbol");
  const secType = r.str("secType");
  r.skip(3, "lastTradeDateOrContractMonth, strike, right");
  r.str("multiplier");
  const exchange = r.str("exchange");
  const primaryExchange = withPrimaryExchange ? r.str("primaryExch") : "";
  const currency = r.str("currency");
  const localSymbol = r.str("localSymbol");
  r.str("tradingClass");
  return { conId, symbol, secType, exchange, primaryExchange, currency, localSymbol, secIdType: "", secId: "" };
}

function readDeltaNeutralContract(r: FieldReader): void {
  if (r.bool("deltaNeutralContract")) r.skip(3, "deltaNeutralContract conId, delta, price");
}

function readTagValueCount(r: FieldReader, what: string): void {
  const count = r.int(what);
  r.skip(count * 2, `${what} entries`);
}

function parseReqMktData(r: FieldReader): ClientRequest {
  r.int("version");
  const reqId = r.int("reqId");
  const contract = readContract(r, true);
  if (contract.secType.toUpperCase() === "BAG") r.skip(r.int("comboLegs") * 4, "comboLegs");
  readDeltaNeutralContract(r);
  const genericTicks = r.str("genericTickList");
  const snapshot = r.bool("snapshot");
  r.bool("regulatorySnapshot");
  r.str("mktDataOptions");
  return { type: "reqMktData", reqId, contract, genericTicks, snapshot };
}

function parseContractDetailsRequest(r: FieldReader): ClientRequest {
  r.int("version");
  const reqId = r.int("reqId");
  const contract = readContract(r, true);
  r.bool("includeExpired");
  contract.secIdType = r.str("secIdType");
  contract.secId = r.str("secId");
  r.str("issuerId");
  return { type: "reqContractDetails", reqId, contract };
}

/** Fields after type and conjunction, per condition type: Price 1, Time 3, Margin 4, Execution 5, Volume 6, PercentChange 7. */
const CONDITION_FIELD_COUNTS: Readonly<Record<number, number>> = { 1: 5, 3: 2, 4: 2, 5: 3, 6: 4, 7: 4 };

function readOrderConditions(r: FieldReader): void {
  const count = r.int("conditions");
  for (let i = 0; i < count; i++) {
    const conditionType = r.int("condition type");
    const fieldCount = CONDITION_FIELD_COUNTS[conditionType];
    if (fieldCount === undefined) throw new FieldFormatError("condition type", String(conditionType));
    r.skip(1 + fieldCount, "condition fields");
  }
  if (count > 0) r.skip(2, "conditionsIgnoreRth, conditionsCancelOrder");
}

const PEG_BEST = "PEG BEST";
const PEG_MID = "PEG MID";

/** PLACE_ORDER at server version >= 145 (no version field). */
function parsePlaceOrder(r: FieldReader, serverVersion: number): ClientRequest {
  const orderId = r.int("orderId");
  const contract = readContract(r, true);
  contract.secIdType = r.str("secIdType");
  contract.secId = r.str("secId");
  const action = r.str("action");
  const totalQuantity = Number(r.str("totalQuantity") || "0");
  const orderType = r.str("orderType");
  const lmtPrice = r.dblOrUnset("lmtPrice");
  const auxPrice = r.dblOrUnset("auxPrice");
  const tif = r.str("tif");
  const ocaGroup = r.str("ocaGroup");
  const account = r.str("account");
  r.str("openClose");
  r.str("origin");
  const orderRef = r.str("orderRef");
  const transmit = r.bool("transmit");
  const parentId = r.int("parentId");
  r.skip(4, "blockOrder, sweepToFill, displaySize, triggerMethod");
  const outsideRth = r.bool("outsideRth");
  r.str("hidden");
  if (contract.secType.toUpperCase() === "BAG") {
    r.skip(r.int("comboLegs") * 8, "comboLegs");
    r.skip(r.int("orderComboLegs"), "orderComboLegs");
    readTagValueCount(r, "smartComboRoutingParams");
  }
  r.skip(3, "sharesAllocation, discretionaryAmt, goodAfterTime");
  const goodTillDate = r.str("goodTillDate");
  r.skip(3, "faGroup, faMethod, faPercentage");
  if (serverVersion < SERVER_VERSION.FA_PROFILE_DESUPPORT) r.str("faProfile");
  r.skip(4, "modelCode, shortSaleSlot, designatedLocation, exemptCode");
  const ocaType = r.int("ocaType");
  r.skip(15, "rule80A .. overridePercentageConstraints");
  r.skip(2, "volatility, volatilityType");
  const deltaNeutralOrderType = r.str("deltaNeutralOrderType");
  r.str("deltaNeutralAuxPrice");
  if (deltaNeutralOrderType !== "") r.skip(8, "deltaNeutral order fields");
  r.skip(2, "continuousUpdate, referencePriceType");
  const trailStopPrice = r.dblOrUnset("trailStopPrice");
  const trailingPercent = r.dblOrUnset("trailingPercent");
  r.skip(2, "scaleInitLevelSize, scaleSubsLevelSize");
  const scalePriceIncrement = r.dblOrUnset("scalePriceIncrement");
  if (scalePriceIncrement !== undefined && scalePriceIncrement > 0) r.skip(7, "scale order fields");
  r.skip(3, "scaleTable, activeStartTime, activeStopTime");
  if (r.str("hedgeType") !== "") r.str("hedgeParam");
  r.skip(4, "optOutSmartRouting, clearingAccount, clearingIntent, notHeld");
  readDeltaNeutralContract(r);
  if (r.str("algoStrategy") !== "") readTagValueCount(r, "algoParams");
  r.str("algoId");
  const whatIf = r.bool("whatIf");
  r.skip(4, "orderMiscOptions, solicited, randomizeSize, randomizePrice");
  if (orderType.toUpperCase() === "PEG BENCH") r.skip(5, "pegged-to-benchmark fields");
  readOrderConditions(r);
  r.skip(7, "adjusted order fields");
  r.skip(4, "extOperator, softDollarTier name, value, cashQty");
  r.skip(4, "mifid2 fields");
  r.skip(9, "dontUseAutoPriceForHedge .. manualOrderTime");
  readPegBestAndMidFields(r, contract.exchange, orderType.toUpperCase());
  const order: OrderRequest = {
    action,
    totalQuantity,
    orderType,
    lmtPrice,
    auxPrice,
    tif,
    ocaGroup,
    account,
    orderRef,
    transmit,
    parentId,
    outsideRth,
    goodTillDate,
    ocaType,
    trailStopPrice,
    trailingPercent,
    whatIf,
  };
  return { type: "placeOrder", orderId, contract, order };
}

function readPegBestAndMidFields(r: FieldReader, exchange: string, orderType: string): void {
  if (exchange === "IBKRATS") r.str("minTradeQty");
  if (orderType === PEG_BEST) {
    r.skip(2, "minCompeteSize, competeAgainstBestOffset");
    // Mid offsets follow only when competing "up to mid"; clients send them as the last fields.
    if (r.remaining >= 2) r.skip(2, "midOffsetAtWhole, midOffsetAtHalf");
  } else if (orderType === PEG_MID) {
    r.skip(2, "midOffsetAtWhole, midOffsetAtHalf");
  }
}

function parseReqExecutions(r: FieldReader): ClientRequest {
  r.int("version");
  const reqId = r.int("reqId");
  const filter: ExecutionFilter = {
    clientId: r.int("clientId"),
    account: r.str("acctCode"),
    time: r.str("time"),
    symbol: r.str("symbol"),
    secType: r.str("secType"),
    exchange: r.str("exchange"),
    side: r.str("side"),
  };
  return { type: "reqExecutions", reqId, filter };
}

function parseReqHistoricalData(r: FieldReader): ClientRequest {
  const reqId = r.int("reqId");
  const contract = readContract(r, true);
  r.bool("includeExpired");
  const endDateTime = r.str("endDateTime");
  const barSize = r.str("barSizeSetting");
  const duration = r.str("durationStr");
  const useRth = r.bool("useRTH");
  const whatToShow = r.str("whatToShow");
  const formatDate = r.int("formatDate");
  if (contract.secType.toUpperCase() === "BAG") r.skip(r.int("comboLegs") * 4, "comboLegs");
  const keepUpToDate = r.bool("keepUpToDate");
  r.str("chartOptions");
  return { type: "reqHistoricalData", reqId, contract, endDateTime, barSize, duration, useRth, whatToShow, formatDate, keepUpToDate };
}

function parseReqHeadTimestamp(r: FieldReader): ClientRequest {
  const reqId = r.int("reqId");
  const contract = readContract(r, true);
  r.bool("includeExpired");
  r.bool("useRTH");
  const whatToShow = r.str("whatToShow");
  const formatDate = r.int("formatDate");
  return { type: "reqHeadTimestamp", reqId, contract, whatToShow, formatDate };
}

type Parser = (r: FieldReader, serverVersion: number) => ClientRequest;

const withVersion = (parse: (r: FieldReader) => ClientRequest): Parser => (r) => {
  r.int("version");
  return parse(r);
};

const PARSERS: Record<number, Parser> = {
  [IN.START_API]: withVersion((r) => ({ type: "startApi", clientId: r.int("clientId"), capabilities: r.remaining > 0 ? r.str("optionalCapabilities") : "" })),
  [IN.REQ_MKT_DATA]: parseReqMktData,
  [IN.CANCEL_MKT_DATA]: withVersion((r) => ({ type: "cancelMktData", reqId: r.int("reqId") })),
  [IN.PLACE_ORDER]: parsePlaceOrder,
  [IN.CANCEL_ORDER]: withVersion((r) => {
    const orderId = r.int("orderId");
    if (r.remaining > 0) r.str("manualOrderCancelTime");
    return { type: "cancelOrder", orderId };
  }),
  [IN.REQ_OPEN_ORDERS]: withVersion(() => ({ type: "reqOpenOrders" })),
  [IN.REQ_ALL_OPEN_ORDERS]: withVersion(() => ({ type: "reqAllOpenOrders" })),
  [IN.REQ_AUTO_OPEN_ORDERS]: withVersion((r) => ({ type: "reqAutoOpenOrders", autoBind: r.bool("autoBind") })),
  [IN.REQ_ACCOUNT_DATA]: withVersion((r) => ({ type: "reqAccountUpdates", subscribe: r.bool("subscribe"), account: r.str("acctCode") })),
  [IN.REQ_EXECUTIONS]: parseReqExecutions,
  [IN.REQ_IDS]: withVersion((r) => ({ type: "reqIds", numIds: r.int("numIds") })),
  [IN.REQ_CONTRACT_DATA]: parseContractDetailsRequest,
  [IN.REQ_MANAGED_ACCTS]: withVersion(() => ({ type: "reqManagedAccts" })),
  [IN.REQ_HISTORICAL_DATA]: parseReqHistoricalData,
  [IN.CANCEL_HISTORICAL_DATA]: withVersion((r) => ({ type: "cancelHistoricalData", reqId: r.int("reqId") })),
  [IN.REQ_HEAD_TIMESTAMP]: parseReqHeadTimestamp,
  [IN.REQ_CURRENT_TIME]: withVersion(() => ({ type: "reqCurrentTime" })),
  [IN.REQ_GLOBAL_CANCEL]: withVersion(() => ({ type: "reqGlobalCancel" })),
  [IN.REQ_MARKET_DATA_TYPE]: withVersion((r) => ({ type: "reqMarketDataType", marketDataType: r.int("marketDataType") })),
  [IN.REQ_POSITIONS]: withVersion(() => ({ type: "reqPositions" })),
  [IN.CANCEL_POSITIONS]: withVersion(() => ({ type: "cancelPositions" })),
  [IN.REQ_ACCOUNT_SUMMARY]: withVersion((r) => ({ type: "reqAccountSummary", reqId: r.int("reqId"), group: r.str("group"), tags: r.str("tags") })),
  [IN.CANCEL_ACCOUNT_SUMMARY]: withVersion((r) => ({ type: "cancelAccountSummary", reqId: r.int("reqId") })),
  [IN.REQ_ACCOUNT_UPDATES_MULTI]: withVersion((r) => {
    const request = { type: "reqAccountUpdatesMulti" as const, reqId: r.int("reqId"), account: r.str("account"), modelCode: r.str("modelCode") };
    r.bool("ledgerAndNLV");
    return request;
  }),
  [IN.CANCEL_ACCOUNT_UPDATES_MULTI]: withVersion((r) => ({ type: "cancelAccountUpdatesMulti", reqId: r.int("reqId") })),
  [IN.REQ_PNL]: (r) => {
    const request = { type: "reqPnL" as const, reqId: r.int("reqId"), account: r.str("account") };
    r.str("modelCode");
    return request;
  },
  [IN.CANCEL_PNL]: (r) => ({ type: "cancelPnL", reqId: r.int("reqId") }),
  [IN.REQ_COMPLETED_ORDERS]: (r) => {
    r.bool("apiOnly");
    return { type: "reqCompletedOrders" };
  },
};

/**
 * Parses one message. The global-cancel message has no fields at all from server version
 * 192; below it carries a version, which the parser tolerates either way.
 */
export function parseClientRequest(fields: readonly string[], serverVersion: number): ClientRequest {
  const reader = new FieldReader(fields);
  const messageId = reader.int("message id");
  const parse = PARSERS[messageId];
  if (!parse) throw new UnsupportedMessageError(messageId);
  return parse(reader, serverVersion);
}
