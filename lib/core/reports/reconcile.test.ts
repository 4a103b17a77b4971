import { describe, expect, it } from "vitest";
import { parseBrokerExecutions, reconcile, reconciliationUnavailable } from "./reconcile";
import type { FillRow } from "./types";

const row = (execId: string, overrides: Partial<FillRow> = {}): FillRow => ({
  execId,
  orderId: 1,
  time: Date.parse("2026-11-20T15:00:00Z"),
  symbol: "AAPL",
  currency: "USD",
  side: "BUY",
  quantity: 100,
  price: 190.25,
  commission: 1,
  grossRealizedPnl: 0,
  realizedPnl: 0,
  realizedSource: "computed",
  strategy: "manual",
  orderRef: null,
  positionAfter: 100,
  commissionMissing: false,
  ...overrides,
});

const broker = (execId: string, overrides: Record<string, unknown> = {}) => ({
  execId,
  symbol: "AAPL",
  side: "BOT",
  shares: 100,
  price: 190.25,
  commission: 1,
  time: "2026-11-20T15:00:00.000Z",
  ...overrides,
});

describe("reconcile", () => {
  it("matches identical fills, reading IB's BOT/SLD sides and ISO times", () => {
    const result = reconcile([row("a"), row("b", { side: "SELL" })], parseBrokerExecutions([broker("a"), broker("b", { side: "SLD" })], "ledger"), "ledger", 0);
    expect(result).toMatchObject({ status: "matched", journalFills: 2, brokerFills: 2, journalCommissions: 2, brokerCommissions: 2, issues: [] });
  });

  it("names every difference: missing on either side, field mismatches, a commission report on one side only", () => {
    const journal = [row("a"), row("b", { price: 190.26 }), row("c", { commissionMissing: true, commission: 0 }), row("d", { commission: 1.01 })];
    const brokerRows = parseBrokerExecutions([broker("b"), broker("c"), broker("d"), broker("e")], "ledger");
    const result = reconcile(journal, brokerRows, "ledger", 0);
    expect(result.status).toBe("mismatched");
    expect(result.issues).toEqual([
      { execId: "a", kind: "missing_at_broker" },
      { execId: "b", kind: "field_mismatch", field: "price", journal: 190.26, broker: 190.25 },
      { execId: "c", kind: "commission_missing", journal: null, broker: 1 },
      { execId: "d", kind: "field_mismatch", field: "commission", journal: 1.01, broker: 1 },
      { execId: "e", kind: "missing_in_journal" },
    ]);
  });

  it("tolerates sub-second time and sub-cent commission differences only", () => {
    const result = reconcile([row("a", { time: row("a").time + 999, commission: 1.004 })], parseBrokerExecutions([broker("a")], "ledger"), "ledger", 0);
    expect(result.status).toBe("matched");
  });

  it("refuses a malformed broker row, naming its index and field", () => {
    expect(() => parseBrokerExecutions([broker("a"), broker("b", { shares: -5 })], "IBKR")).toThrow(/IBKR execution #1 is invalid: shares: shares must be > 0/);
    expect(() => parseBrokerExecutions([broker("a", { time: "yesterday" })], "IBKR")).toThrow(/time is not an instant/);
  });

  it("an unreachable broker is 'unavailable', never 'matched'", () => {
    expect(reconciliationUnavailable([row("a")], "IBKR", 0, "not connected")).toMatchObject({ status: "unavailable", journalFills: 1, error: "not connected" });
  });
});
