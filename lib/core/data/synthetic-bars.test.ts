import { describe, expect, it } from "vitest";
import { syntheticDailyBars } from "./synthetic-bars";

describe("synthetic daily bars", () => {
  const options = { seed: 9, start: Date.UTC(2020, 0, 1), meanReversion: 0.001 };
  const bars = syntheticDailyBars(2_000, options);

  it("are the same for the same seed and differ for another", () => {
    expect(Array.from(syntheticDailyBars(2_000, options).close)).toEqual(Array.from(bars.close));
    expect(Array.from(syntheticDailyBars(2_000, { ...options, seed: 10 }).close)).not.toEqual(Array.from(bars.close));
  });

  it("pass the loader's rules: one bar a day, high and low around open and close, volume >= 0, closes in cents", () => {
    for (let i = 0; i < bars.length; i++) {
      expect(bars.time[i]).toBe(options.start + i * 86_400_000);
      expect(bars.high[i]).toBeGreaterThanOrEqual(Math.max(bars.open[i], bars.close[i]));
      expect(bars.low[i]).toBeLessThanOrEqual(Math.min(bars.open[i], bars.close[i]));
      expect(bars.volume[i]).toBeGreaterThanOrEqual(1_000);
      expect(Math.round(bars.close[i] * 100) / 100).toBe(bars.close[i]);
      if (i > 0) expect(bars.open[i]).toBe(bars.close[i - 1]);
    }
  });
});
