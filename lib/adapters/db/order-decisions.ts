import { z } from "zod";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Side } from "@/lib/core/model/order";

/** `k1:` + the decision id; TWS keeps orderRef on the order and its executions (40 characters fit everywhere). */
export const ORDER_REF_PREFIX = "k1:";

export const decisionIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,37}$/, "a decision id is 1-37 letters, digits, dots, dashes or underscores (orderRef k1:<id> stays within 40)");

export function orderRefOf(decisionId: string): string {
  return `${ORDER_REF_PREFIX}${decisionIdSchema.parse(decisionId)}`;
}

export function decisionIdOf(orderRef: string | null): string | null {
  return orderRef?.startsWith(ORDER_REF_PREFIX) ? orderRef.slice(ORDER_REF_PREFIX.length) : null;
}

export interface DecisionIntent {
  decisionId: string;
  symbol: string;
  side: Side;
  quantity: number;
}

export type DecisionStatus = "pending" | "sent" | "not-sent";

/**
 * Decisions are written `pending` before their order goes out and marked `sent` after, so a
 * restart can tell them apart; a `pending` one found at the broker by orderRef was sent.
 */
export class OrderDecisions {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Records the intent; returns the existing row when this decision was seen before
   * (`seenBefore`: a `pending` one then may already be at the broker until a reconcile says otherwise).
   */
  async begin(intent: DecisionIntent): Promise<{ status: DecisionStatus; orderId: number | null; orderRef: string; seenBefore: boolean }> {
    const orderRef = orderRefOf(intent.decisionId);
    const seenBefore = (await this.prisma.orderDecision.findUnique({ where: { id: intent.decisionId }, select: { id: true } })) !== null;
    const row = await this.prisma.orderDecision.upsert({
      where: { id: intent.decisionId },
      create: { id: intent.decisionId, orderRef, symbol: intent.symbol, side: intent.side, quantity: String(intent.quantity) },
      update: {},
    });
    if (row.status === "not-sent") await this.prisma.orderDecision.update({ where: { id: intent.decisionId }, data: { status: "pending" } });
    return { status: row.status as DecisionStatus, orderId: row.orderId, orderRef, seenBefore };
  }

  async markNotSent(decisionId: string): Promise<void> {
    await this.prisma.orderDecision.updateMany({ where: { id: decisionId, status: "pending" }, data: { status: "not-sent" } });
  }

  async markSent(decisionId: string, orderId: number): Promise<void> {
    await this.prisma.orderDecision.update({ where: { id: decisionId }, data: { status: "sent", orderId, sentAt: new Date() } });
  }

  /**
   * After a reconnect: pending decisions whose orderRef the broker knows were sent; the others
   * were not (the process stopped before sending) and may be decided again. Returns what changed.
   */
  async resolvePending(brokerRefs: Map<string, number>): Promise<{ foundSent: string[]; notSent: string[] }> {
    const pending = await this.prisma.orderDecision.findMany({ where: { status: "pending" } });
    const foundSent: string[] = [];
    const notSent: string[] = [];
    for (const decision of pending) {
      const orderId = brokerRefs.get(decision.orderRef);
      if (orderId === undefined) {
        notSent.push(decision.id);
        await this.prisma.orderDecision.update({ where: { id: decision.id }, data: { status: "not-sent" } });
      } else {
        foundSent.push(decision.id);
        await this.prisma.orderDecision.update({ where: { id: decision.id }, data: { status: "sent", orderId } });
      }
    }
    return { foundSent, notSent };
  }
}
