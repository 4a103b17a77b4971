import { describe, expect, it } from "vitest";
import { assessGuardian, guardianConfigSchema } from "./guardian";
import { parseRiskLimits } from "./limits";

const config = guardianConfigSchema.parse({});
const limits = parseRiskLimits({});

describe("assessGuardian", () => {
  it("is normal while losses are small", () => {
    const result = assessGuardian(config, limits, { equity: 99_500, openingEquity: 100_000, peakEquity: 100_000, positions: [] });
    expect(result).toMatchObject({ level: "normal", reasons: [], dayPnl: -500, drawdown: 500 });
  });

  it("steps warn -> reducing -> halted on daily loss from the opening equity", () => {
    const at = (equity: number) => assessGuardian(config, limits, { equity, openingEquity: 100_000, peakEquity: 100_000, positions: [] });
    expect(at(98_900).level).toBe("warn");
    expect(at(98_000).level).toBe("reducing");
    expect(at(96_900)).toMatchObject({
      level: "halted",
      reasons: ["daily loss 3100.00 is 3.10% of 100000.00 (halted at 3%)", "drawdown from the intraday peak 3100.00 is 3.10% of 100000.00 (reducing at 3%)"],
    });
  });

  it("measures drawdown from the intraday peak even when the day is up", () => {
    const result = assessGuardian(config, limits, { equity: 101_000, openingEquity: 100_000, peakEquity: 105_500, positions: [] });
    expect(result.level).toBe("halted");
    expect(result.dayPnl).toBe(1_000);
    expect(result.reasons).toEqual(["drawdown from the intraday peak 4500.00 is 4.27% of 105500.00 (halted at 4%)"]);
  });

  it("over-exposure calls for REDUCING", () => {
    const positions = [{ symbol: "AAPL", quantity: 400, price: 100 }];
    const result = assessGuardian(config, limits, { equity: 100_000, openingEquity: 100_000, peakEquity: 100_000, positions });
    expect(result).toMatchObject({ level: "reducing", overExposed: true, reasons: ["AAPL concentration 40000.00 is 40.0% of equity, above 25%"] });
  });

  it("refuses tiers that do not deepen", () => {
    expect(() => guardianConfigSchema.parse({ dailyLoss: { warnPct: 3, reducePct: 2, haltPct: 4 } })).toThrow("tiers must deepen");
  });
});
