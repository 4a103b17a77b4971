import type { AuditEvent } from "./audit";
import type { Actor, CancelAllResult, TradingControls, TradingStatus } from "./controls";
import { auditInBackground, type CancelOrderResult, type FlattenResult, type FlattenService } from "./flatten";
import type { TradingState } from "./trading-state";

export interface TradingControlsOptions {
  state: TradingState;
  flatten: Pick<FlattenService, "flattenAll" | "flattenSymbol" | "cancelAll" | "cancelOrder">;
  audit: (event: AuditEvent) => Promise<void>;
  onAuditFailure?: (error: unknown, event: AuditEvent) => void;
}

/** The one implementation of the manual controls; every call writes an audit row with who and where. */
export class KestrelTradingControls implements TradingControls {
  constructor(private readonly options: TradingControlsOptions) {}

  status(): TradingStatus {
    return this.options.state.status();
  }

  async haltEntries(actor: Actor, reason?: string): Promise<TradingStatus> {
    return this.tighten(actor, "HALTED", reason?.trim() || "halted by hand", "trading.halt");
  }

  async reduceOnly(actor: Actor, reason: string): Promise<TradingStatus> {
    return this.tighten(actor, "REDUCING", reason.trim() || "reduce-only by hand", "trading.reduce");
  }

  async resume(actor: Actor): Promise<TradingStatus> {
    const before = this.status().mode;
    const status = await this.options.state.resume(actor.user);
    this.audit(actor, "trading.resume", "ok", { from: before, to: status.mode });
    return status;
  }

  flattenAll(actor: Actor): Promise<FlattenResult> {
    return this.options.flatten.flattenAll({ actor: actor.user, source: actor.source, ip: actor.ip ?? null });
  }

  flattenSymbol(actor: Actor, symbol: string): Promise<FlattenResult> {
    return this.options.flatten.flattenSymbol({ actor: actor.user, source: actor.source, ip: actor.ip ?? null }, symbol.trim().toUpperCase());
  }

  async cancelAllOrders(actor: Actor): Promise<CancelAllResult> {
    const { ordersCancelled } = await this.options.flatten.cancelAll({ actor: actor.user, source: actor.source, ip: actor.ip ?? null });
    return { ordersCancelled };
  }

  cancelOrder(actor: Actor, orderId: number): Promise<CancelOrderResult> {
    return this.options.flatten.cancelOrder({ actor: actor.user, source: actor.source, ip: actor.ip ?? null }, orderId);
  }

  private async tighten(actor: Actor, mode: "REDUCING" | "HALTED", reason: string, action: string): Promise<TradingStatus> {
    const before = this.status().mode;
    const status = await this.options.state.tighten(mode, actor.user, reason);
    this.audit(actor, action, status.mode === mode && before !== mode ? "ok" : "unchanged", { from: before, to: status.mode, reason });
    return status;
  }

  /** Written after the action and retried, never awaited: the control works with the database down. */
  private audit(actor: Actor, action: string, result: string, details: unknown): void {
    const event: AuditEvent = { actor: actor.user, source: actor.source, ip: actor.ip ?? null, action, result, details };
    auditInBackground(this.options.audit, event, undefined, this.options.onAuditFailure);
  }
}
