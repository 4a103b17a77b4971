/** Standard normal distribution and sample moments used by the overfitting statistics. */

/** Φ(x), via the complementary error function (Numerical Recipes' erfc, relative error < 1.2e-7). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const polynomial =
    -z * z - 1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const value = t * Math.exp(polynomial);
  return x >= 0 ? value : 2 - value;
}

const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const TAIL = 0.02425;

/** Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation (relative error < 1.2e-9). */
export function inverseNormalCdf(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`inverseNormalCdf needs 0 < p < 1, got ${p}`);
  const [a, b, c, d] = [ACKLAM_A, ACKLAM_B, ACKLAM_C, ACKLAM_D];
  if (p < TAIL || p > 1 - TAIL) {
    const q = Math.sqrt(-2 * Math.log(p < TAIL ? p : 1 - p));
    const x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    return p < TAIL ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Running power sums of a sample; sums of disjoint samples add up to the sums of their union. */
export interface PowerSums {
  readonly count: number;
  readonly sum: number;
  readonly sumSquares: number;
  readonly sumCubes: number;
  readonly sumFourths: number;
}

export const EMPTY_SUMS: PowerSums = { count: 0, sum: 0, sumSquares: 0, sumCubes: 0, sumFourths: 0 };

export function powerSums(values: ArrayLike<number>, start = 0, end = values.length): PowerSums {
  let sum = 0;
  let sumSquares = 0;
  let sumCubes = 0;
  let sumFourths = 0;
  for (let i = start; i < end; i++) {
    const value = values[i];
    const square = value * value;
    sum += value;
    sumSquares += square;
    sumCubes += square * value;
    sumFourths += square * square;
  }
  return { count: Math.max(0, end - start), sum, sumSquares, sumCubes, sumFourths };
}

export function addSums(a: PowerSums, b: PowerSums): PowerSums {
  return {
    count: a.count + b.count,
    sum: a.sum + b.sum,
    sumSquares: a.sumSquares + b.sumSquares,
    sumCubes: a.sumCubes + b.sumCubes,
    sumFourths: a.sumFourths + b.sumFourths,
  };
}

export interface Moments {
  readonly count: number;
  readonly mean: number;
  /** Sample standard deviation (n - 1). */
  readonly std: number;
  /** Population skewness. */
  readonly skewness: number;
  /** Population kurtosis (3 for a normal distribution, not the excess). */
  readonly kurtosis: number;
}

export function momentsOf(sums: PowerSums): Moments {
  const n = sums.count;
  if (n < 2) return { count: n, mean: n === 1 ? sums.sum : 0, std: 0, skewness: 0, kurtosis: 3 };
  const mean = sums.sum / n;
  const m2 = sums.sumSquares / n - mean * mean;
  const m3 = sums.sumCubes / n - 3 * mean * (sums.sumSquares / n) + 2 * mean ** 3;
  const m4 = sums.sumFourths / n - 4 * mean * (sums.sumCubes / n) + 6 * mean * mean * (sums.sumSquares / n) - 3 * mean ** 4;
  const variance = Math.max(0, m2);
  return {
    count: n,
    mean,
    std: Math.sqrt((variance * n) / (n - 1)),
    skewness: variance > 0 ? m3 / variance ** 1.5 : 0,
    kurtosis: variance > 0 ? m4 / (variance * variance) : 3,
  };
}

/** Mean over sample standard deviation, per observation (not annualised); 0 when undefined. */
export function periodSharpe(sums: PowerSums): number {
  return sharpeOfSums(sums.count, sums.sum, sums.sumSquares);
}

export function sharpeOfSums(count: number, sum: number, sumSquares: number): number {
  if (count < 2) return 0;
  const mean = sum / count;
  const variance = (sumSquares - count * mean * mean) / (count - 1);
  return variance > 0 ? mean / Math.sqrt(variance) : 0;
}
