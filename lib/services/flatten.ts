import { randomUUID } from "node:crypto";
import type { EventEmitter } from "node:events";
import type { BrokerPosition, Side } from "@/lib/adapters/ibkr/mapping";
import type { AccountViewEvents, OrderRow } from "./account-view";
import type { AuditEvent, AuditSource } from "./audit";

/** What flatten needs from the broker connection. */
export interface FlattenBroker {
  cancelAllOrders(): void;
  requestOpenOrders(): void;
  requestPositions(): void;
  placeMarketOrder(spec: { symbol: string; side: Side; quantity: number; orderRef?: string; urgent?: boolean }): Promise<number>;
}

/** What flatten needs to see of the account. */
export interface FlattenView extends Pick<EventEmitter<AccountViewEvents>, "on" | "off"> {
  workingOrders(): OrderRow[];
  openPositions(): BrokerPosition[];
}

export interface FlattenRequest {
  actor: string;
  source: AuditSource;
  ip?: string | null;
}

export interface FlattenResult {
  id: string;
  status: "flat" | "incomplete";
  startedAt: string;
  finishedAt: string;
  ordersCancelled: number;
  closingOrders: { orderId: number; symbol: string; side: Side; quantity: number }[];
  remaining: { symbol: string; quantity: number }[];
  message: string;
}

export interface FlattenOptions {
  broker: FlattenBroker;
  view: FlattenView;
  audit: (event: AuditEvent) => Promise<void>;
  now: () => number;
  cancelTimeoutMs?: number;
  flatTimeoutMs?: number;
  closeAttempts?: number;
}

/**
 * Cancel every order, close every position, and check that the account is flat.
 * A second request while one runs joins it rather than sending more orders.
 */
export class FlattenService {
  private running: Promise<FlattenResult> | null = null;

  constructor(private readonly options: FlattenOptions) {}

  flattenAll(request: FlattenRequest): Promise<FlattenResult> {
    if (!this.running) {
      this.running = this.run(request).finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  get inProgress(): boolean {
    return this.running !== null;
  }

  private async run(request: FlattenRequest): Promise<FlattenResult> {
    const { broker, view, now } = this.options;
    const id = randomUUID();
    const startedAt = new Date(now()).toISOString();
    const ordersCancelled = view.workingOrders().length;
    const closingOrders: FlattenResult["closingOrders"] = [];
    let failure: string | null = null;
    try {
      broker.cancelAllOrders();
      broker.requestOpenOrders();
      await this.waitFor(() => view.workingOrders().length === 0, this.options.cancelTimeoutMs ?? 5_000);
      closingOrders.push(...(await this.closePositions(id)));
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    const remaining = view.openPositions().map(({ symbol, quantity }) => ({ symbol, quantity }));
    const status = remaining.length === 0 && failure === null ? "flat" : "incomplete";
    const result: FlattenResult = {
      id,
      status,
      startedAt,
      finishedAt: new Date(now()).toISOString(),
      ordersCancelled,
      closingOrders,
      remaining,
      message: describe(status, remaining, failure),
    };
    await this.options.audit({
      actor: request.actor,
      source: request.source,
      ip: request.ip ?? null,
      action: "flatten_all",
      result: status,
      details: { id, ordersCancelled, closingOrders, remaining, failure },
    });
    return result;
  }

  /** Market orders against every open position, retrying what is left after each round. */
  private async closePositions(flattenId: string): Promise<FlattenResult["closingOrders"]> {
    const { broker, view } = this.options;
    const sent: FlattenResult["closingOrders"] = [];
    const attempts = this.options.closeAttempts ?? 3;
    for (let attempt = 1; attempt <= attempts && view.openPositions().length > 0; attempt++) {
      const round = view.openPositions().map(async (position) => {
        const side: Side = position.quantity > 0 ? "SELL" : "BUY";
        const quantity = Math.abs(position.quantity);
        const orderRef = `flatten:${flattenId}`;
        const orderId = await broker.placeMarketOrder({ symbol: position.symbol, side, quantity, orderRef, urgent: true });
        return { orderId, symbol: position.symbol, side, quantity };
      });
      sent.push(...(await Promise.all(round)));
      await this.waitFor(() => view.openPositions().length === 0, this.options.flatTimeoutMs ?? 10_000);
      if (view.openPositions().length > 0) broker.requestPositions();
    }
    return sent;
  }

  private waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    const { view } = this.options;
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (met: boolean) => {
        clearTimeout(timer);
        view.off("positions", check);
        view.off("orders", check);
        resolve(met);
      };
      view.on("positions", check);
      view.on("orders", check);
    });
  }
}

function describe(status: FlattenResult["status"], remaining: FlattenResult["remaining"], failure: string | null): string {
  if (status === "flat") return "All orders cancelled and every position closed.";
  const left = remaining.map((position) => `${position.symbol} ${position.quantity}`).join(", ");
  return [failure, left ? `Still open: ${left}.` : null].filter(Boolean).join(" ");
}
