/** A risk limit and how much of it is used right now (for "bars per limit"). */
export interface LimitUsage {
  readonly name: string;
  readonly limit: number;
  readonly used: number;
  readonly unit: "currency" | "percent" | "count" | "shares";
}

export interface RiskDenialView {
  readonly at: string;
  readonly symbol: string;
  readonly strategy: string | null;
  readonly rule: string;
  readonly reason: string;
}

export type GuardianTier = "normal" | "warn" | "reducing" | "halted";

export interface GuardianView {
  readonly tier: GuardianTier;
  readonly openingEquity: number | null;
  readonly dayPnl: number | null;
  readonly drawdownFromPeak: number | null;
}

export interface FlatByTimeView {
  readonly enabled: boolean;
  /** "15:55" in `timeZone`. */
  readonly localTime: string;
  readonly timeZone: string;
  /** Next time the schedule will flatten, ISO; null when the market is closed for the foreseeable days or disabled. */
  readonly nextAt: string | null;
  readonly exchange?: string;
  /** The strategy instance the schedule flattens; null or absent: the whole account. */
  readonly strategy?: string | null;
  /** On the account's schedule: each strategy instance's own schedule. */
  readonly strategies?: readonly FlatByTimeView[];
}

/** What the dashboard's Risk page and the overview's kill-switch panel read. */
export interface RiskOverview {
  limits(): readonly LimitUsage[];
  recentDenials(limit?: number): Promise<readonly RiskDenialView[]>;
  guardian(): GuardianView;
  flatByTime(): FlatByTimeView;
}
