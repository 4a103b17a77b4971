import type { Logger } from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type {
  BrokerCommission,
  BrokerExecution,
  BrokerOrder,
  BrokerOrderStatus,
  BrokerPosition,
} from "@/lib/adapters/ibkr/mapping";

const decimal = (value: number) => String(value);
const optionalDecimal = (value: number | null) => (value === null ? null : String(value));
const optionalBigInt = (value: number | null) => (value === null ? null : BigInt(value));

/**
 * Writes what the broker reports, once. Executions and commissions are keyed by execId,
 * orders by (account, clientId, orderId), so a replay after a reconnect adds nothing.
 * Writes run one at a time in arrival order.
 */
export class TradingJournal {
  private tail: Promise<void> = Promise.resolve();
  private readonly statusesAwaitingOrder = new Map<string, BrokerOrderStatus[]>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly log: Logger,
  ) {}

  /** Resolves once every write queued so far has finished. */
  flush(): Promise<void> {
    return this.tail;
  }

  recordOrder(order: BrokerOrder): Promise<void> {
    return this.enqueue("order", async () => {
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
    });
  }

  recordOrderStatus(account: string, clientId: number, status: BrokerOrderStatus): Promise<void> {
    return this.enqueue("order status", () => this.writeStatus(account, status.clientId ?? clientId, status));
  }

  recordExecution(execution: BrokerExecution): Promise<void> {
    return this.enqueue("execution", async () => {
      await this.prisma.execution.createMany({
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
            executedAt: execution.executedAt,
          },
        ],
      });
    });
  }

  recordCommission(commission: BrokerCommission): Promise<void> {
    return this.enqueue("commission", async () => {
      await this.prisma.commission.createMany({
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
    });
  }

  recordPositions(positions: BrokerPosition[]): Promise<void> {
    return this.enqueue("positions", async () => {
      if (positions.length === 0) return;
      await this.prisma.positionSnapshot.createMany({
        data: positions.map((position) => ({
          account: position.account,
          symbol: position.symbol,
          conId: position.conId,
          quantity: decimal(position.quantity),
          avgCost: decimal(position.avgCost),
        })),
      });
    });
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

  private enqueue(what: string, write: () => Promise<void>): Promise<void> {
    this.tail = this.tail.then(write).catch((error: unknown) => {
      this.log.error({ err: error, what }, "could not persist a broker event");
    });
    return this.tail;
  }
}

function orderKey(account: string, clientId: number, orderId: number): string {
  return `${account}/${clientId}/${orderId}`;
}
