import { describe, expect, it } from "vitest";
import { Sma, sma } from "./index";

describe("sma", () => {
  it("averages the last n closes: (1+2+3)/3 = 2, (2+3+4)/3 = 3, (3+4+8)/3 = 5", () => {
    expect(Array.from(sma([1, 2, 3, 4, 8], 3))).toEqual([NaN, NaN, 2, 3, 5]);
  });

  it("agrees with the incremental face", () => {
    const closes = [5, 4, 7, 1, 9, 2];
    const live = new Sma(2);
    expect(closes.map((x) => live.update(x))).toEqual(Array.from(sma(closes, 2)));
  });
});
