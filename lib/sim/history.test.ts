import { describe, expect, it } from "vitest";
import { instantOf } from "@/lib/core/time/zoned-time";
import { spanStart } from "./model/history";
import { InstrumentCatalog } from "./model/instruments";

const aapl = new InstrumentCatalog().bySymbolOrThrow("AAPL");
const newYork = (day: number, hour: number, minute = 0) => instantOf({ year: 2026, month: 11, day, hour, minute, second: 0 }, "America/New_York");

describe("a historical request's span", () => {
  it("counts trading sessions back, so a weekend request gets Friday", () => {
    expect(spanStart("1 D", newYork(21, 15, 57), aapl, true)).toBe(newYork(20, 0));
    expect(spanStart("2 D", newYork(22, 10), aapl, true)).toBe(newYork(19, 0));
  });

  it("does not count today's session before it opens", () => {
    expect(spanStart("1 D", newYork(20, 8), aapl, true)).toBe(newYork(19, 0));
    expect(spanStart("1 D", newYork(20, 8), aapl, false)).toBe(newYork(20, 0));
  });

  it("takes a week as five sessions and other units as calendar time", () => {
    expect(spanStart("1 W", newYork(20, 12), aapl, true)).toBe(newYork(16, 0));
    expect(spanStart("3600 S", newYork(20, 12), aapl, true)).toBe(newYork(20, 11));
    expect(spanStart("0 D", newYork(20, 12), aapl, true)).toBeUndefined();
  });
});
