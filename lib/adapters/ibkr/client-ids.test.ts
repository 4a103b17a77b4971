import { describe, expect, it } from "vitest";
import { clientIdAfterConflicts, reconnectDelayMs } from "./client-ids";

describe("client id fallback", () => {
  it("retries the configured id, then moves up one id at a time", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((conflicts) => clientIdAfterConflicts(7, conflicts))).toEqual([7, 7, 7, 8, 8, 8, 9]);
    expect(clientIdAfterConflicts(7, 1, 0)).toBe(8);
  });
});

describe("reconnect backoff", () => {
  it("doubles the ceiling per attempt, caps it at 60 s and draws uniformly below it", () => {
    expect(reconnectDelayMs(0, 1_000, 60_000, () => 0.999)).toBeCloseTo(999);
    expect(reconnectDelayMs(3, 1_000, 60_000, () => 0.5)).toBe(4_000);
    expect(reconnectDelayMs(10, 1_000, 60_000, () => 0.999)).toBeLessThan(60_000);
    expect(reconnectDelayMs(1_000, 1_000, 60_000, () => 1)).toBe(60_000);
    expect(reconnectDelayMs(5, 1_000, 60_000, () => 0)).toBe(0);
  });
});
