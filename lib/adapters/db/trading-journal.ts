import type { Logger } from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import {
  TERMINAL_ORDER_STATUSES,
  type BrokerCommission,
  type BrokerExecution,
  type BrokerOrder,
  type BrokerOrderStatus,
  type BrokerPosition,
} from "@/lib/adapters/ibkr/mapping";
import type { StoredWorkingOrder } from "@/lib/adapters/ibkr/reconcile";
import type { Spool } from "./spool";

const decimal = (value: number) => String(value);
const optionalDecimal = (value: number | null) => (value === null ? null : String(value));
const optionalBigInt = (value: number | null) => (value === null ? null : BigInt(value));

/** One broker event as the journal stores it; also the line format of the spool file. */
export type JournalEntry =
  | { kind: "order"; order: BrokerOrder }
  | { kind: "status"; account: string; clientId: number; status: BrokerOrderStatus }
  | { kind: "execution"; execution: BrokerExecution }
  | { kind: "commission"; commission: BrokerCommission }
  | { kind: "positions"; positions: BrokerPosition[] };

/** `duplicate`: already on record, nothing written; `spooled`: kept in the local spool until Postgres is back. */
export type WriteOutcome = "written" | "duplicate" | "spooled" | "dropped";

export interface TradingJournalOptions {
  /** Where writes go while Postgres is unreachable; without one they are logged and lost. */
  spool?: Spool<JournalEntry>;
  /** How often a non-empty spool is retried. */
  retryMs?: number;
}

/**
 * Writes what the broker reports, once. Executions and commissions are keyed by execId,
 * orders by (account, clientId, orderId), so a replay after a reconnect adds nothing.
 * Writes run one at a time in arrival order; when Postgres fails they go to the spool, and
 * while the spool holds anything every later write queues behind it, so order is kept.
 */
export class TradingJournal {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly statusesAwaitingOrder = new Map<string, BrokerOrderStatus[]>();
  private retryTimer: NodeJS.Timeout | null = null;
  private spooling: boolean;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly log: Logger,
    private readonly options: TradingJournalOptions = {},
  ) {
    this.spooling = !(options.spool?.isEmpty ?? true);
    if (this.spooling) this.scheduleRetry();
  }

  /** Resolves once every write queued so far has finished (written or spooled). */
  async flush(): Promise<void> {
    await this.tail;
  }

  /** Entries waiting in the spool for Postgres. */
  get spooled(): number {
    return this.spooling ? (this.options.spool?.pending().length ?? 0) : 0;
  }

  /** Tries the spool now; resolves true once it is empty. */
  async drainSpool(): Promise<boolean> {
    await this.enqueueWork(() => this.replaySpool());
    return !this.spooling;
  }

  stop(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  recordOrder(order: BrokerOrder): Promise<WriteOutcome> {
    return this.enqueue({ kind: "order", order });
  }

  recordOrderStatus(account: string, clientId: number, status: BrokerOrderStatus): Promise<WriteOutcome> {
    return this.enqueue({ kind: "status", account, clientId: status.clientId ?? clientId, status });
  }

  /**
   * Orders first recorded before `createdBefore` and still on record as working (not in a
   * terminal state), with the executions on record for them, for the reconcile to settle;
   * reads only after every write queued so far.
   */
  async workingOrders(createdBefore: Date): Promise<StoredWorkingOrder[]> {
    await this.flush();
    const orders = await this.prisma.order.findMany({
      where: { status: { notIn: [...TERMINAL_ORDER_STATUSES] }, createdAt: { lt: createdBefore } },
      select: { account: true, clientId: true, orderId: true, permId: true, orderRef: true, quantity: true },
    });
    if (orders.length === 0) return [];
    const executions = await this.prisma.execution.findMany({
      where: { OR: orders.map(({ account, clientId, orderId }) => ({ account, clientId, orderId })) },
      select: { account: true, clientId: true, orderId: true, shares: true, price: true },
    });
    return orders.map((order) => {
      const own = executions.filter((execution) => execution.account === order.account && execution.clientId === order.clientId && execution.orderId === order.orderId);
      const shares = own.reduce((sum, execution) => sum + Number(execution.shares), 0);
      const value = own.reduce((sum, execution) => sum + Number(execution.shares) * Number(execution.price), 0);
      return {
        account: order.account,
        clientId: order.clientId,
        orderId: order.orderId,
        permId: order.permId === null ? null : Number(order.permId),
        orderRef: order.orderRef,
        quantity: Number(order.quantity),
        executedShares: shares,
        executedAvgPrice: shares > 0 ? Number((value / shares).toFixed(8)) : null,
      };
    });
  }

  recordExecution(execution: BrokerExecution): Promise<WriteOutcome> {
    return this.enqueue({ kind: "execution", execution });
  }

  recordCommission(commission: BrokerCommission): Promise<WriteOutcome> {
    return this.enqueue({ kind: "commission", commission });
  }

  recordPositions(positions: BrokerPosition[]): Promise<WriteOutcome> {
    return this.enqueue({ kind: "positions", positions });
  }

  private apply(entry: JournalEntry): Promise<WriteOutcome> {
    switch (entry.kind) {
      case "order":
        return this.writeOrder(entry.order);
      case "status":
        return this.writeStatus(entry.account, entry.clientId, entry.status).then(() => "written" as const);
      case "execution":
        return this.writeExecution(entry.execution);
      case "commission":
        return this.writeCommission(entry.commission);
      case "positions":
        return this.writePositions(entry.positions);
    }
  }

  private async writeOrder(order: BrokerOrder): Promise<WriteOutcome> {
    const row = {
      permId: optionalBigInt(order.permId),
      parentId: order.parentId,
      symbol: order.symbol,
      conId: order.conId,
      secType: order.secType,
      exchange: order.exchange,
      currency: order.currency,
      side: order.side,
      orderType: order.orderType,
      quantity: decimal(order.quantity),
      limitPrice: optionalDecimal(order.limitPrice),
      auxPrice: optionalDecimal(order.auxPrice),
      timeInForce: order.timeInForce,
      ocaGroup: order.ocaGroup,
      orderRef: order.orderRef,
    };
    const key = { account: order.account, clientId: order.clientId, orderId: order.orderId };
    await this.prisma.order.upsert({
      where: { account_clientId_orderId: key },
      create: { ...key, ...row, status: order.status, remaining: decimal(order.quantity) },
      update: row,
    });
    const waiting = this.statusesAwaitingOrder.get(orderKey(order.account, order.clientId, order.orderId)) ?? [];
    this.statusesAwaitingOrder.delete(orderKey(order.account, order.clientId, order.orderId));
    for (const status of waiting) await this.writeStatus(order.account, order.clientId, status);
    return "written";
  }

  private async writeExecution(execution: BrokerExecution): Promise<WriteOutcome> {
    const { count } = await this.prisma.execution.createMany({
      skipDuplicates: true,
      data: [
        {
          execId: execution.execId,
          account: execution.account,
          clientId: execution.clientId,
          orderId: execution.orderId,
          permId: optionalBigInt(execution.permId),
          symbol: execution.symbol,
          conId: execution.conId,
          currency: execution.currency,
          exchange: execution.exchange,
          side: execution.side,
          shares: decimal(execution.shares),
          price: decimal(execution.price),
          cumQty: decimal(execution.cumQty),
          avgPrice: decimal(execution.avgPrice),
          orderRef: execution.orderRef,
          executedAt: new Date(execution.executedAt),
        },
      ],
    });
    return count === 0 ? "duplicate" : "written";
  }

  private async writeCommission(commission: BrokerCommission): Promise<WriteOutcome> {
    const { count } = await this.prisma.commission.createMany({
      skipDuplicates: true,
      data: [
        {
          execId: commission.execId,
          commission: decimal(commission.commission),
          currency: commission.currency,
          realizedPnl: optionalDecimal(commission.realizedPnl),
        },
      ],
    });
    return count === 0 ? "duplicate" : "written";
  }

  private async writePositions(positions: BrokerPosition[]): Promise<WriteOutcome> {
    if (positions.length === 0) return "duplicate";
    await this.prisma.positionSnapshot.createMany({
      data: positions.map((position) => ({
        account: position.account,
        symbol: position.symbol,
        conId: position.conId,
        quantity: decimal(position.quantity),
        avgCost: decimal(position.avgCost),
      })),
    });
    return "written";
  }

  private async writeStatus(account: string, clientId: number, status: BrokerOrderStatus): Promise<void> {
    const order = await this.prisma.order.findUnique({
      where: { account_clientId_orderId: { account, clientId, orderId: status.orderId } },
      select: { id: true, status: true, filled: true },
    });
    if (!order) {
      const key = orderKey(account, clientId, status.orderId);
      this.statusesAwaitingOrder.set(key, [...(this.statusesAwaitingOrder.get(key) ?? []), status]);
      return;
    }
    if (order.status === status.status && Number(order.filled) === status.filled) return;
    await this.prisma.$transaction([
      this.prisma.order.update({
        where: { id: order.id },
        data: {
          status: status.status,
          filled: decimal(status.filled),
          remaining: decimal(status.remaining),
          avgFillPrice: optionalDecimal(status.avgFillPrice),
          ...(status.permId === null ? {} : { permId: BigInt(status.permId) }),
        },
      }),
      this.prisma.orderStatusEvent.create({
        data: {
          orderUuid: order.id,
          status: status.status,
          filled: decimal(status.filled),
          remaining: decimal(status.remaining),
          avgFillPrice: optionalDecimal(status.avgFillPrice),
          lastFillPrice: optionalDecimal(status.lastFillPrice),
          whyHeld: status.whyHeld,
        },
      }),
    ]);
  }

  private enqueue(entry: JournalEntry): Promise<WriteOutcome> {
    return this.enqueueWork(() => this.persist(entry));
  }

  private enqueueWork<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async persist(entry: JournalEntry): Promise<WriteOutcome> {
    if (this.spooling) await this.replaySpool();
    if (this.spooling) return this.toSpool(entry);
    try {
      return await this.apply(entry);
    } catch (error) {
      if (!isUnreachable(error) || !this.options.spool) {
        this.log.error({ err: error, kind: entry.kind }, "could not persist a broker event");
        return "dropped";
      }
      this.log.warn({ err: error, kind: entry.kind, spool: this.options.spool.location }, "database unreachable; spooling broker events locally");
      return this.toSpool(entry);
    }
  }

  private toSpool(entry: JournalEntry): WriteOutcome {
    this.options.spool?.append(entry);
    this.spooling = true;
    this.scheduleRetry();
    return "spooled";
  }

  private async replaySpool(): Promise<void> {
    const spool = this.options.spool;
    if (!spool || !this.spooling) return;
    try {
      const applied = await spool.replay((entry) => this.apply(entry).then(() => undefined));
      this.spooling = !spool.isEmpty;
      if (!this.spooling) this.log.info({ applied }, "spooled broker events written to the database");
    } catch (error) {
      if (!isUnreachable(error)) this.log.error({ err: error }, "a spooled broker event could not be written; retrying");
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.enqueueWork(() => this.replaySpool()).then(() => {
        if (this.spooling) this.scheduleRetry();
      });
    }, this.options.retryMs ?? 2_000);
    this.retryTimer.unref();
  }
}

/**
 * A write that would fail again on retry (bad data, a constraint, a schema mismatch: SQLSTATE
 * classes 22, 23, 42, or Prisma's own validation) is not spooled; anything else (connection
 * refused or terminated, the database not accepting connections, timeouts) means Postgres is away.
 */
function isUnreachable(error: unknown): boolean {
  const details = error as { code?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } } | null;
  const sqlState = details?.meta?.driverAdapterError?.cause?.originalCode;
  if (typeof sqlState === "string" && /^[0-9A-Z]{5}$/.test(sqlState)) return !/^(22|23|42)/.test(sqlState);
  const code = details?.code;
  return !(typeof code === "string" && /^P2/.test(code) && code !== "P2024");
}

function orderKey(account: string, clientId: number, orderId: number): string {
  return `${account}/${clientId}/${orderId}`;
}
