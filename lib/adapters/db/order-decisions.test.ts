import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { freshDatabase } from "@/test/db";
import type { ScratchDatabase } from "./scratch-database";
import { decisionIdOf, OrderDecisions, orderRefOf } from "./order-decisions";

describe("order decisions tied to orders by orderRef", () => {
  let database: ScratchDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await freshDatabase({ migrated: true });
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  it("formats orderRef as k1:<decisionId> within 40 characters and reads it back", () => {
    expect(orderRefOf("momentum.SPY-2026-11-20_1")).toBe("k1:momentum.SPY-2026-11-20_1");
    expect(orderRefOf("x".repeat(37))).toHaveLength(40);
    expect(() => orderRefOf("x".repeat(38))).toThrow(/1-37/);
    expect(() => orderRefOf("has space")).toThrow(/decision id/);
    expect(decisionIdOf("k1:abc")).toBe("abc");
    expect(decisionIdOf("flatten:1")).toBeNull();
  });

  it("tells sent from not sent after a crash, by what the broker reports", async () => {
    const decisions = new OrderDecisions(prisma);
    const intent = (decisionId: string) => ({ decisionId, symbol: "SPY", side: "BUY" as const, quantity: 3 });
    await decisions.begin(intent("sent-before"));
    await decisions.markSent("sent-before", 41);
    await decisions.begin(intent("in-flight"));
    await decisions.begin(intent("never-left"));

    expect(await decisions.resolvePending(new Map([["k1:in-flight", 42]]))).toEqual({ foundSent: ["in-flight"], notSent: ["never-left"] });
    expect(await decisions.begin(intent("sent-before"))).toMatchObject({ status: "sent", orderId: 41 });
    expect(await decisions.begin(intent("in-flight"))).toMatchObject({ status: "sent", orderId: 42 });
    expect(await decisions.begin(intent("never-left"))).toMatchObject({ status: "not-sent" });
    expect((await prisma.orderDecision.findUniqueOrThrow({ where: { id: "never-left" } })).status).toBe("pending");
  });
});
