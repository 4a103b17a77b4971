import type { AccountMode } from "./accounts";
import type { Entitlement } from "./entitlements";
import type { ConnectionState } from "./gateway-client";
import type { ConnectionNotice, FarmState } from "./notices";
import type { ReconcileResult } from "./reconcile";

/** The broker connection's health as the engine reports it and the dashboard shows it. */
export interface BrokerHealth {
  state: ConnectionState;
  /** Connected and reconciled: orders may go out. */
  ready: boolean;
  mode: AccountMode;
  host: string;
  port: number;
  /** The client id in use (the configured one unless 326 forced the next). */
  clientId: number;
  configuredClientId: number;
  account: string;
  /** Set when the account and TRADING_MODE disagree; no order goes out then. */
  modeProblem: string | null;
  lastNotice: ConnectionNotice | null;
  farms: Record<string, { state: FarmState; since: string }>;
  nextResetWindow: { name: string; start: string; end: string; inProgress: boolean };
  /** Messages waiting under the 50 msg/s rule, per priority lane. */
  outgoingQueue: { urgent: number; normal: number };
  /** Historical-data requests waiting, when a historical queue is attached. */
  historicalQueue?: number;
  lastReconcile: ReconcileResult | null;
  entitlements: Record<string, { entitlement: Entitlement; code: number | null }>;
  /** Broker events waiting in the local spool for the database. */
  spooledWrites: number;
  orderIdHighWaterMark: number;
}
