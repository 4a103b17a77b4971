import { describe, expect, it } from "vitest";
import { deflatedSharpe, expectedMaxSharpe, probabilityOfOverfitting, combinations } from "./overfitting";
import { inverseNormalCdf, normalCdf, powerSums, momentsOf, type PowerSums } from "./statistics";
import { seededUniform } from "./parameters";

describe("normal distribution", () => {
  it("matches tabulated values", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.281552)).toBeCloseTo(0.1, 6);
    expect(inverseNormalCdf(0.99)).toBeCloseTo(2.326348, 5);
    expect(inverseNormalCdf(0.001)).toBeCloseTo(-3.090232, 5);
    expect(() => inverseNormalCdf(1)).toThrow(/0 < p < 1/);
  });
});

describe("deflated Sharpe ratio (Bailey & López de Prado 2014, numerical example)", () => {
  /*
   * The paper's example: 100 independent trials, the best has an annualised Sharpe of 2.5
   * over 5 years of daily returns (T = 1250, 250 a year), skewness -3, kurtosis 10, and the
   * trials' annualised Sharpes have variance 0.5.
   *
   * By hand, per period (divide a Sharpe by sqrt(250) and its variance by 250):
   *   SR   = 2.5 / 15.8114                                   = 0.158114
   *   V    = 0.5 / 250                                       = 0.002
   *   Z⁻¹(1 - 1/100)      = Z⁻¹(0.99)                        = 2.326348
   *   Z⁻¹(1 - 1/(100 e))  = Z⁻¹(0.996321)                    = 2.680  (approx.)
   *   SR0  = sqrt(0.002) x ((1 - 0.577216) x 2.326348 + 0.577216 x 2.680)
   *        = 0.044721 x (0.983550 + 1.547)                   = 0.1132 (annualised 1.790)
   *   z    = (0.158114 - 0.1132) x sqrt(1249) / sqrt(1 + 3 x 0.158114 + (10 - 1)/4 x 0.158114²)
   *        = 0.04491 x 35.341 / sqrt(1.530595)               = 1.2829
   *   DSR  = Z(1.2829)                                       = 0.9002 (the paper reports 0.9004)
   */
  it("reproduces the paper's example", () => {
    const perPeriod = Math.sqrt(250);
    const result = deflatedSharpe({ sharpe: 2.5 / perPeriod, trials: 100, sharpeVariance: 0.5 / 250, observations: 1250, skewness: -3, kurtosis: 10 });
    expect(result.benchmark).toBeCloseTo(0.1132, 4);
    expect(result.benchmark * perPeriod).toBeCloseTo(1.790, 2);
    expect(result.probability).toBeCloseTo(0.9004, 3);
  });

  it("falls as the number of trials grows and is a plain PSR against 0 for one trial", () => {
    const input = { sharpe: 0.1, sharpeVariance: 0.002, observations: 1000, skewness: 0, kurtosis: 3 };
    const few = deflatedSharpe({ ...input, trials: 10 }).probability;
    const many = deflatedSharpe({ ...input, trials: 10_000 }).probability;
    expect(many).toBeLessThan(few);
    expect(expectedMaxSharpe(1, 0.002)).toBe(0);
    // One trial: z = 0.1 x sqrt(999) / sqrt(1 + 0.5 x 0.01) = 3.1528 -> 0.99919
    expect(deflatedSharpe({ ...input, trials: 1 }).probability).toBeCloseTo(0.99919, 4);
  });
});

describe("probability of backtest overfitting (CSCV, Bailey, Borwein, López de Prado & Zhu 2015)", () => {
  /*
   * Worked by hand: 4 trials, their returns cut into S = 4 blocks; performance = the sum of the
   * chosen blocks' returns (one observation per block). C(4, 2) = 6 splits:
   *
   *   blocks:  T0 = [4 4 2 5]  T1 = [0 3 1 2]  T2 = [2 3 9 1]  T3 = [6 0 7 6]
   *
   *   IS {0,1}: 8 3 5 6    -> best T0; OOS {2,3}: 7 3 10 13 -> T0 ranks 2 of 4
   *   IS {0,2}: 6 1 11 13  -> best T3; OOS {1,3}: 9 5 4 6   -> T3 ranks 3
   *   IS {0,3}: 9 2 3 12   -> best T3; OOS {1,2}: 6 4 12 7  -> T3 ranks 3
   *   IS {1,2}: 6 4 12 7   -> best T2; OOS {0,3}: 9 2 3 12  -> T2 ranks 2
   *   IS {1,3}: 9 5 4 6    -> best T0; OOS {0,2}: 6 1 11 13 -> T0 ranks 2
   *   IS {2,3}: 7 3 10 13  -> best T3; OOS {0,1}: 8 3 5 6   -> T3 ranks 3
   *
   * ω = rank / (N + 1): 2/5 gives λ = ln(0.4/0.6) = -0.4055, 3/5 gives +0.4055.
   * Three of six splits have λ <= 0, so PBO = 0.5.
   */
  it("matches the hand-worked example", () => {
    const block = (value: number): PowerSums => powerSums([value]);
    const blocks = [[4, 4, 2, 5], [0, 3, 1, 2], [2, 3, 9, 1], [6, 0, 7, 6]].map((row) => row.map(block));
    const result = probabilityOfOverfitting(blocks, (chosen) => chosen.reduce((sum, b) => sum + b.sum, 0));
    expect(result.splits).toBe(6);
    expect(result.logits.map((logit) => Number(logit.toFixed(4)))).toEqual([-0.4055, 0.4055, 0.4055, -0.4055, -0.4055, 0.4055]);
    expect(result.probability).toBe(0.5);
  });

  // With complementary halves, the in-sample winner among pure-noise trials tends to lose out of
  // sample (its in-sample luck is the out-of-sample half's bad luck), so noise sits at or above 0.5.
  it("is high for pure noise and 0 when one trial is better everywhere", () => {
    const random = seededUniform(11);
    const noise = () => Array.from({ length: 400 }, () => random() - 0.5);
    const cut = (returns: number[]) => Array.from({ length: 8 }, (_, b) => powerSums(returns, b * 50, (b + 1) * 50));
    const trials = Array.from({ length: 40 }, () => cut(noise()));
    expect(probabilityOfOverfitting(trials).probability).toBeGreaterThanOrEqual(0.5);
    const skilled = cut(noise().map((value) => value + 0.4));
    expect(probabilityOfOverfitting([...trials, skilled]).probability).toBe(0);
  });

  it("gives each split the logit its definition gives, split by split", () => {
    const random = seededUniform(5);
    const trials = Array.from({ length: 12 }, () => Array.from({ length: 8 }, () => powerSums(Array.from({ length: 30 }, () => random() - 0.49))));
    const sharpeOf = (row: PowerSums[], chosen: number[]) => {
      const returnsSum = chosen.reduce((sum, b) => sum + row[b].sum, 0);
      const count = chosen.reduce((sum, b) => sum + row[b].count, 0);
      const squares = chosen.reduce((sum, b) => sum + row[b].sumSquares, 0);
      const mean = returnsSum / count;
      return mean / Math.sqrt((squares - count * mean * mean) / (count - 1));
    };
    const expected = combinations(8, 4).map((inSample) => {
      const rest = [0, 1, 2, 3, 4, 5, 6, 7].filter((b) => !inSample.includes(b));
      const inScores = trials.map((row) => sharpeOf(row, inSample));
      const best = inScores.indexOf(Math.max(...inScores));
      const outScores = trials.map((row) => sharpeOf(row, rest));
      const rank = outScores.filter((score) => score < outScores[best]).length + (outScores.filter((score) => score === outScores[best]).length + 1) / 2;
      const omega = rank / (trials.length + 1);
      return Math.log(omega / (1 - omega));
    });
    const { logits } = probabilityOfOverfitting(trials);
    expect(logits).toHaveLength(70);
    logits.forEach((logit, split) => expect(logit, `split ${split}`).toBeCloseTo(expected[split], 12));
  });

  it("enumerates every split once and rejects an odd block count", () => {
    expect(combinations(6, 3)).toHaveLength(20);
    expect(() => probabilityOfOverfitting([[powerSums([1])], [powerSums([2])]])).toThrow(/even number of blocks/);
  });

  it("computes moments from power sums", () => {
    const moments = momentsOf(powerSums([1, 2, 3, 4, 10]));
    expect(moments.mean).toBe(4);
    expect(moments.std).toBeCloseTo(Math.sqrt(12.5), 10);
    expect(moments.skewness).toBeCloseTo(1.1384199576606167, 10);
  });
});
