import type { RiskGate, RiskState, TradeIntent } from "../ports";
import { check, intentKey, type RiskIntent, type RiskSnapshot, type RiskVerdict } from "./check";
import type { RiskLimits } from "./limits";

/** What the gate needs to know about the account at the moment of a check. */
export interface RiskContext {
  /** The account-wide picture; `state` is what the calling strategy knows of itself. */
  snapshot(intent: RiskIntent, state: RiskState): Omit<RiskSnapshot, "recentOrders" | "recentIntents">;
  limits(): RiskLimits;
  /** Called with every refusal, for persistence and display. */
  onDenied?(intent: RiskIntent, verdict: Extract<RiskVerdict, { approved: false }>, at: number): void;
}

const KEEP_MS = 10 * 60_000;

/**
 * The core's {@link RiskGate} backed by {@link check}: it remembers what it approved (for the
 * order-rate and duplicate guards) and reports every refusal.
 */
export class RiskEngine implements RiskGate {
  private readonly approvedOrders: number[] = [];
  private readonly approvedIntents: { key: string; at: number }[] = [];

  constructor(private readonly context: RiskContext) {}

  check(intent: TradeIntent | RiskIntent, state: RiskState): RiskVerdict {
    const account = this.context.snapshot(intent, state);
    this.forgetBefore(account.now - KEEP_MS);
    const snapshot: RiskSnapshot = { ...account, recentOrders: this.approvedOrders, recentIntents: this.approvedIntents };
    const verdict = check(intent, snapshot, this.context.limits());
    if (verdict.approved) {
      this.approvedOrders.push(account.now);
      this.approvedIntents.push({ key: intentKey(intent), at: account.now });
    } else {
      this.context.onDenied?.(intent, verdict, account.now);
    }
    return verdict;
  }

  private forgetBefore(cutoff: number): void {
    while (this.approvedOrders.length > 0 && this.approvedOrders[0] < cutoff) this.approvedOrders.shift();
    while (this.approvedIntents.length > 0 && this.approvedIntents[0].at < cutoff) this.approvedIntents.shift();
  }
}
