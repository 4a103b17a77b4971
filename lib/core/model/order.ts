export type Side = "BUY" | "SELL";

export type TimeInForce = "DAY" | "GTC" | "IOC";

/** How the order's price is set. Trailing stops trail by a fixed amount or a percent. */
export type OrderPricing =
  | { readonly type: "MKT" }
  | { readonly type: "LMT"; readonly limitPrice: number }
  | { readonly type: "STP"; readonly stopPrice: number }
  | { readonly type: "STP LMT"; readonly stopPrice: number; readonly limitPrice: number }
  | { readonly type: "TRAIL"; readonly trail: TrailSpec; readonly stopPrice?: number };

export type TrailSpec = { readonly amount: number } | { readonly percent: number };

export type OrderType = OrderPricing["type"];

/** What the engine asks the broker to do. Prices are already on the instrument's tick. */
export type OrderRequest = OrderPricing & {
  readonly id: number;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly timeInForce: TimeInForce;
  /** A child waits for its parent to fill before it becomes active. */
  readonly parentId?: number;
  /** Orders of one OCA group: the first fill cancels the rest. */
  readonly ocaGroup?: string;
  /** Free text carried to the broker (IB orderRef): why the order exists. */
  readonly tag?: string;
};

/** IB's order statuses. "PartiallyFilled" is not one of them: see {@link displayStatus}. */
export type OrderStatus =
  | "PendingSubmit"
  | "PreSubmitted"
  | "Submitted"
  | "PendingCancel"
  | "Filled"
  | "Cancelled"
  | "Inactive";

const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  PendingSubmit: ["PreSubmitted", "Submitted", "PendingCancel", "Cancelled", "Inactive", "Filled"],
  PreSubmitted: ["Submitted", "PendingCancel", "Cancelled", "Inactive", "Filled"],
  Submitted: ["PendingCancel", "Cancelled", "Inactive", "Filled"],
  // A cancel can lose the race against a fill, or be refused (the order then works on).
  PendingCancel: ["Cancelled", "Filled", "Submitted", "PreSubmitted"],
  Filled: [],
  Cancelled: [],
  Inactive: [],
};

const FILLABLE: ReadonlySet<OrderStatus> = new Set(["PendingSubmit", "PreSubmitted", "Submitted", "PendingCancel"]);

export function isTerminal(status: OrderStatus): boolean {
  return TRANSITIONS[status].length === 0;
}

export class OrderStateError extends Error {
  constructor(
    readonly orderId: number,
    message: string,
  ) {
    super(`order ${orderId}: ${message}`);
    this.name = "OrderStateError";
  }
}

/**
 * One order's life, driven by broker events. Illegal transitions and overfills throw, so
 * a confused broker feed is noticed instead of silently corrupting positions.
 */
export class Order {
  private currentStatus: OrderStatus = "PendingSubmit";
  private filledQuantity = 0;
  private filledNotional = 0;
  private rejectReason: string | undefined;

  constructor(private current: OrderRequest) {
    if (!(current.quantity > 0)) throw new OrderStateError(current.id, `quantity must be positive, got ${current.quantity}`);
  }

  /** The order as last submitted or amended. */
  get request(): OrderRequest {
    return this.current;
  }

  /** A modification of a working order: new quantity (never below what is filled) or prices. */
  amend(changes: { quantity?: number; limitPrice?: number; stopPrice?: number }): void {
    if (!this.isWorking) throw new OrderStateError(this.id, `cannot modify in status ${this.currentStatus}`);
    if (changes.quantity !== undefined && !(changes.quantity > this.filledQuantity)) {
      throw new OrderStateError(this.id, `quantity ${changes.quantity} must exceed the ${this.filledQuantity} already filled`);
    }
    const hasLimit = "limitPrice" in this.current;
    const hasStop = "stopPrice" in this.current;
    if ((changes.limitPrice !== undefined && !hasLimit) || (changes.stopPrice !== undefined && !hasStop)) {
      throw new OrderStateError(this.id, `a ${this.current.type} order has no such price to modify`);
    }
    this.current = { ...this.current, ...changes } as OrderRequest;
  }

  get id(): number {
    return this.request.id;
  }

  get status(): OrderStatus {
    return this.currentStatus;
  }

  get filled(): number {
    return this.filledQuantity;
  }

  get remaining(): number {
    return this.request.quantity - this.filledQuantity;
  }

  get averageFillPrice(): number {
    return this.filledQuantity === 0 ? NaN : this.filledNotional / this.filledQuantity;
  }

  get reason(): string | undefined {
    return this.rejectReason;
  }

  get isWorking(): boolean {
    return !isTerminal(this.currentStatus);
  }

  /** Moves to `next`; a repeated status is a no-op (brokers resend them). */
  transition(next: OrderStatus, reason?: string): void {
    if (next === this.currentStatus) return;
    if (!TRANSITIONS[this.currentStatus].includes(next)) {
      throw new OrderStateError(this.id, `illegal transition ${this.currentStatus} -> ${next}`);
    }
    if (next === "Filled" && this.remaining > 0) {
      throw new OrderStateError(this.id, `cannot be Filled with ${this.remaining} still open`);
    }
    this.currentStatus = next;
    if (reason !== undefined) this.rejectReason = reason;
  }

  /** Books an execution; the order becomes Filled when nothing remains. */
  applyFill(quantity: number, price: number): void {
    if (!FILLABLE.has(this.currentStatus)) {
      throw new OrderStateError(this.id, `cannot fill in status ${this.currentStatus}`);
    }
    if (!(quantity > 0)) throw new OrderStateError(this.id, `fill quantity must be positive, got ${quantity}`);
    if (quantity > this.remaining + quantityTolerance(this.request.quantity)) {
      throw new OrderStateError(this.id, `overfill: ${quantity} filled with only ${this.remaining} open`);
    }
    this.filledQuantity = Math.min(this.request.quantity, this.filledQuantity + quantity);
    this.filledNotional += quantity * price;
    if (this.remaining <= quantityTolerance(this.request.quantity)) {
      this.filledQuantity = this.request.quantity;
      this.currentStatus = "Filled";
    } else if (this.currentStatus === "PendingSubmit" || this.currentStatus === "PreSubmitted") {
      this.currentStatus = "Submitted";
    }
  }
}

/** Fractional quantities are sums of floats: forgive noise far below any real lot. */
function quantityTolerance(quantity: number): number {
  return Math.abs(quantity) * 1e-12;
}

/** The status a person wants to see: IB reports a partial fill as Submitted with filled > 0. */
export function displayStatus(order: Order): OrderStatus | "PartiallyFilled" {
  return order.filled > 0 && order.remaining > 0 && order.isWorking ? "PartiallyFilled" : order.status;
}

export function oppositeSide(side: Side): Side {
  return side === "BUY" ? "SELL" : "BUY";
}

/** +1 for a buy, -1 for a sell: the sign a fill gives to a position. */
export function sideSign(side: Side): 1 | -1 {
  return side === "BUY" ? 1 : -1;
}

export interface BracketPrices {
  readonly takeProfit: number;
  readonly stopLoss: number;
}

/**
 * A parent and its two children: a take-profit limit and a protective stop, both on the
 * opposite side, tied in one OCA group so the first to fill cancels the other.
 */
export function bracketOrders(
  parent: OrderRequest,
  prices: BracketPrices,
  childIds: { takeProfit: number; stopLoss: number },
): [OrderRequest, OrderRequest, OrderRequest] {
  const exitSide = oppositeSide(parent.side);
  const ocaGroup = `bracket-${parent.id}`;
  const child = { symbol: parent.symbol, side: exitSide, quantity: parent.quantity, timeInForce: "GTC" as const, parentId: parent.id, ocaGroup };
  return [
    parent,
    { ...child, id: childIds.takeProfit, type: "LMT", limitPrice: prices.takeProfit, tag: "take-profit" },
    { ...child, id: childIds.stopLoss, type: "STP", stopPrice: prices.stopLoss, tag: "stop-loss" },
  ];
}
