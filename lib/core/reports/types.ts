import type { Side } from "../model/order";
import type { DayKey } from "../calendar/calendar";

/** One execution as the journal holds it, joined with its commission report. */
export interface ReportFill {
  readonly execId: string;
  readonly orderId: number;
  readonly symbol: string;
  readonly currency: string;
  readonly side: Side;
  readonly quantity: number;
  readonly price: number;
  /** null until the broker's commission report arrives. */
  readonly commission: number | null;
  /** The commission report's realizedPNL; null when the broker gave none (opening fills). */
  readonly brokerRealizedPnl: number | null;
  readonly orderRef: string | null;
  /** Epoch ms. */
  readonly time: number;
}

/** A fill of the report's day with what it did to its position. */
export interface FillRow {
  readonly execId: string;
  readonly orderId: number;
  readonly time: number;
  readonly symbol: string;
  readonly currency: string;
  readonly side: Side;
  readonly quantity: number;
  readonly price: number;
  readonly commission: number;
  /** Before commissions, by FIFO lot matching. */
  readonly grossRealizedPnl: number;
  /** Net of the commissions of the lots it closed (IB's convention); the broker's figure when it gave one. */
  readonly realizedPnl: number;
  /** Where `realizedPnl` came from. */
  readonly realizedSource: "broker" | "computed";
  readonly strategy: string;
  readonly orderRef: string | null;
  /** Signed position in the symbol after this fill. */
  readonly positionAfter: number;
  readonly commissionMissing: boolean;
}

export type TripDirection = "long" | "short";

/** From flat to flat in one symbol; may start on an earlier day. */
export interface RoundTrip {
  readonly id: string;
  readonly symbol: string;
  readonly currency: string;
  readonly direction: TripDirection;
  readonly strategy: string;
  readonly entryTime: number;
  /** null while the position is still open at the end of the day. */
  readonly exitTime: number | null;
  readonly holdingMs: number | null;
  /** Largest absolute position held. */
  readonly quantity: number;
  readonly entryPrice: number;
  /** Volume-weighted price of the closing fills; null before any. */
  readonly exitPrice: number | null;
  readonly grossPnl: number;
  readonly commissions: number;
  /** Gross minus every commission of the trip. */
  readonly netPnl: number;
  /** Realized P&L (IB convention) of this trip's fills on the report's day. */
  readonly realizedToday: number;
  readonly fills: number;
}

export interface Breakdown {
  readonly key: string;
  readonly fills: number;
  readonly shares: number;
  readonly grossRealizedPnl: number;
  readonly commissions: number;
  readonly realizedPnl: number;
  readonly net: number;
  readonly closedTrips: number;
}

export interface DaySummary {
  readonly fills: number;
  readonly shares: number;
  /** Round trips closed on the day. */
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  /** wins / trades; null without any closed trade. */
  readonly winRate: number | null;
  readonly grossRealizedPnl: number;
  readonly commissions: number;
  /** Sum of the fills' realized P&L, IB's convention: this is what the broker reports. */
  readonly realizedPnl: number;
  /** Gross realized minus every commission paid on the day. */
  readonly net: number;
  readonly largestWin: number | null;
  readonly largestLoss: number | null;
  readonly currencies: readonly string[];
}

export interface WaterfallStep {
  readonly label: string;
  readonly value: number;
  /** Running total before and after this step. */
  readonly from: number;
  readonly to: number;
}

export interface EquityPoint {
  readonly time: number;
  readonly value: number;
}

export interface ManualAction {
  readonly at: number;
  readonly actor: string;
  readonly source: string;
  readonly action: string;
  readonly result: string;
}

/** Reserved for the risk engine's events; empty until it records any. */
export interface RiskEvent {
  readonly at: number;
  readonly kind: string;
  readonly detail: string;
}

export type ReconciliationIssueKind = "missing_in_journal" | "missing_at_broker" | "field_mismatch" | "commission_missing";

export interface ReconciliationIssue {
  readonly execId: string;
  readonly kind: ReconciliationIssueKind;
  readonly field?: string;
  readonly journal?: string | number | null;
  readonly broker?: string | number | null;
}

export interface Reconciliation {
  /** "unavailable": the broker could not be asked; nothing was compared. */
  readonly status: "matched" | "mismatched" | "unavailable";
  readonly source: string;
  readonly checkedAt: number;
  readonly journalFills: number;
  readonly brokerFills: number;
  readonly journalCommissions: number;
  readonly brokerCommissions: number;
  readonly issues: readonly ReconciliationIssue[];
  readonly error?: string;
}

export interface DayReport {
  readonly schemaVersion: 1;
  readonly day: DayKey;
  readonly exchange: string;
  readonly timeZone: string;
  readonly tradingDay: boolean;
  readonly session: { readonly open: number; readonly close: number; readonly earlyClose: boolean } | null;
  readonly window: { readonly start: number; readonly end: number };
  readonly summary: DaySummary;
  readonly byStrategy: readonly Breakdown[];
  readonly bySymbol: readonly Breakdown[];
  readonly fills: readonly FillRow[];
  readonly roundTrips: readonly RoundTrip[];
  readonly waterfall: readonly WaterfallStep[];
  readonly equityCurve: readonly EquityPoint[];
  readonly manualActions: readonly ManualAction[];
  readonly riskEvents: readonly RiskEvent[];
  readonly reconciliation: Reconciliation | null;
}
