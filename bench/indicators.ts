/**
 * Indicator throughput: each Kestrel batch indicator against a plain Float64Array loop doing
 * comparable work (no validation, no missing-value rules, naive running sums) and against the
 * same indicator from the JS libraries a trader might otherwise use.
 *
 *   node --import tsx bench/indicators.ts [--points N] [--only sma,rsi]
 *
 * Peers that cannot handle the full series within a time budget run on a leading slice; the
 * `points` column says how many values each row was measured on.
 */
import { IndicatorsSync } from "@ixjb94/indicators";
import * as indicatorts from "indicatorts";
import * as technicalindicators from "technicalindicators";
import * as tradingSignals from "trading-signals";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import * as kestrel from "../lib/core/indicators/index";
import { bestTimes, timeOnce } from "./timing";

export interface BenchRow {
  indicator: string;
  implementation: string;
  /** Values computed in the timed run (peers may run on a slice of the series). */
  points: number;
  valuesPerSecond: number;
  /** Kestrel rows only: throughput relative to the plain loop for the same indicator. */
  ratioToPlain?: number;
  note?: string;
}

interface Series {
  close: Float64Array;
  high: Float64Array;
  low: Float64Array;
  volume: Float64Array;
}

interface PlainSeries {
  close: number[];
  high: number[];
  low: number[];
  volume: number[];
}

const PERIOD = 20;
const RSI_PERIOD = 14;
const K = 2;
/** Time budget for one peer measurement; slower peers get a proportionally shorter slice. */
const PEER_BUDGET_MS = 3_000;
const PEER_PROBE_POINTS = 50_000;
/** Timed runs per measurement of Kestrel and the plain loop (the best counts): on a shared machine more runs find a quiet moment. */
const REPEATS = 5;

type Run<S> = (series: S) => unknown;

interface Case {
  name: string;
  kestrel: Run<Series>;
  plain: Run<Series>;
  peers: Record<string, Run<PlainSeries> | string>;
}

const ixjb = new IndicatorsSync();
const alongside = (h: number[], l: number[], c: number[]) => c.map((close, i) => ({ high: h[i], low: l[i], close }));

const CASES: Case[] = [
  {
    name: `sma(${PERIOD})`,
    kestrel: (s) => kestrel.sma(s.close, PERIOD),
    plain: (s) => plainSma(s.close, PERIOD),
    peers: {
      indicatorts: (s) => indicatorts.sma(s.close, { period: PERIOD }),
      "@ixjb94/indicators": (s) => ixjb.sma(s.close, PERIOD),
      "trading-signals": (s) => new tradingSignals.SMA(PERIOD).updates(s.close),
      technicalindicators: (s) => technicalindicators.SMA.calculate({ period: PERIOD, values: s.close }),
    },
  },
  {
    name: `ema(${PERIOD})`,
    kestrel: (s) => kestrel.ema(s.close, PERIOD),
    plain: (s) => plainEma(s.close, PERIOD),
    peers: {
      indicatorts: (s) => indicatorts.ema(s.close, { period: PERIOD }),
      "@ixjb94/indicators": (s) => ixjb.ema(s.close, PERIOD),
      "trading-signals": (s) => new tradingSignals.EMA(PERIOD).updates(s.close),
      technicalindicators: (s) => technicalindicators.EMA.calculate({ period: PERIOD, values: s.close }),
    },
  },
  {
    name: `rsi(${RSI_PERIOD})`,
    kestrel: (s) => kestrel.rsi(s.close, RSI_PERIOD),
    plain: (s) => plainRsi(s.close, RSI_PERIOD),
    peers: {
      indicatorts: (s) => indicatorts.rsi(s.close, { period: RSI_PERIOD }),
      "@ixjb94/indicators": (s) => ixjb.rsi(s.close, RSI_PERIOD),
      "trading-signals": (s) => new tradingSignals.RSI(RSI_PERIOD).updates(s.close),
      technicalindicators: (s) => technicalindicators.RSI.calculate({ period: RSI_PERIOD, values: s.close }),
    },
  },
  {
    name: "macd(12,26,9)",
    kestrel: (s) => kestrel.macd(s.close, 12, 26, 9),
    plain: (s) => plainMacd(s.close, 12, 26, 9),
    peers: {
      indicatorts: (s) => indicatorts.macd(s.close, { fast: 12, slow: 26, signal: 9 }),
      "@ixjb94/indicators": (s) => ixjb.macd(s.close, 12, 26, 9),
      "trading-signals": (s) =>
        new tradingSignals.MACD(new tradingSignals.EMA(12), new tradingSignals.EMA(26), new tradingSignals.EMA(9)).updates(
          s.close,
        ),
      technicalindicators: (s) =>
        technicalindicators.MACD.calculate({
          values: s.close,
          fastPeriod: 12,
          slowPeriod: 26,
          signalPeriod: 9,
          SimpleMAOscillator: false,
          SimpleMASignal: false,
        }),
    },
  },
  {
    name: `bollinger(${PERIOD},${K})`,
    kestrel: (s) => kestrel.bollinger(s.close, PERIOD, K),
    plain: (s) => plainBollinger(s.close, PERIOD, K),
    peers: {
      indicatorts: (s) => indicatorts.bollingerBands(s.close, { period: PERIOD }),
      "@ixjb94/indicators": (s) => ixjb.bbands(s.close, PERIOD, K),
      "trading-signals": (s) => new tradingSignals.BollingerBands(PERIOD, K).updates(s.close),
      technicalindicators: (s) => technicalindicators.BollingerBands.calculate({ period: PERIOD, stdDev: K, values: s.close }),
    },
  },
  {
    name: `atr(${RSI_PERIOD})`,
    kestrel: (s) => kestrel.atr(s.high, s.low, s.close, RSI_PERIOD),
    plain: (s) => plainAtr(s.high, s.low, s.close, RSI_PERIOD),
    peers: {
      indicatorts: (s) => indicatorts.atr(s.high, s.low, s.close, { period: RSI_PERIOD }),
      "@ixjb94/indicators": (s) => ixjb.atr(s.high, s.low, s.close, RSI_PERIOD),
      "trading-signals": (s) => new tradingSignals.ATR(RSI_PERIOD).updates(alongside(s.high, s.low, s.close)),
      technicalindicators: (s) =>
        technicalindicators.ATR.calculate({ high: s.high, low: s.low, close: s.close, period: RSI_PERIOD }),
    },
  },
  {
    name: "trueRange",
    kestrel: (s) => kestrel.trueRange(s.high, s.low, s.close),
    plain: (s) => plainTrueRange(s.high, s.low, s.close),
    peers: {
      indicatorts: (s) => indicatorts.trueRange(s.high, s.low, s.close),
      "@ixjb94/indicators": (s) => ixjb.tr(s.high, s.low, s.close),
      "trading-signals": (s) => new tradingSignals.TR().updates(alongside(s.high, s.low, s.close)),
      technicalindicators: (s) => technicalindicators.TrueRange.calculate({ high: s.high, low: s.low, close: s.close }),
    },
  },
  {
    name: `vwap(${PERIOD})`,
    kestrel: (s) => kestrel.vwap(s.close, s.volume, PERIOD),
    plain: (s) => plainVwap(s.close, s.volume, PERIOD),
    peers: {
      indicatorts: (s) => indicatorts.vwap(s.close, s.volume, { period: PERIOD }),
      // Typical price (h+l+c)/3 of a bar whose high, low and close are all the price.
      "@ixjb94/indicators": (s) => ixjb.vwap(s.close, s.close, s.close, s.volume, PERIOD),
      "trading-signals": "n/a: VWAP is cumulative only, no rolling window",
      technicalindicators: "n/a: VWAP is cumulative only, no rolling window",
    },
  },
  {
    name: `rollingHigh(${PERIOD})`,
    kestrel: (s) => kestrel.rollingHigh(s.close, PERIOD),
    plain: (s) => plainRollingExtreme(s.close, PERIOD, 1),
    peers: {
      indicatorts: (s) => indicatorts.mmax(s.close, { period: PERIOD }),
      "@ixjb94/indicators": (s) => ixjb.max(s.close, PERIOD),
      "trading-signals": (s) => new tradingSignals.Period(PERIOD).updates(s.close),
      technicalindicators: (s) => technicalindicators.Highest.calculate({ period: PERIOD, values: s.close }),
    },
  },
  {
    name: `rollingLow(${PERIOD})`,
    kestrel: (s) => kestrel.rollingLow(s.close, PERIOD),
    plain: (s) => plainRollingExtreme(s.close, PERIOD, -1),
    peers: {
      indicatorts: (s) => indicatorts.mmin(s.close, { period: PERIOD }),
      "@ixjb94/indicators": (s) => ixjb.min(s.close, PERIOD),
      "trading-signals": "(Period computes high and low together: see rollingHigh)",
      technicalindicators: (s) => technicalindicators.Lowest.calculate({ period: PERIOD, values: s.close }),
    },
  },
  {
    name: `zscore(${PERIOD})`,
    kestrel: (s) => kestrel.zscore(s.close, PERIOD),
    plain: (s) => plainZscore(s.close, PERIOD),
    peers: {
      indicatorts: "n/a: no rolling z-score",
      "@ixjb94/indicators": "n/a: no rolling z-score",
      "trading-signals": "n/a: getZScore works on a whole array, not a rolling window",
      technicalindicators: "n/a: no rolling z-score",
    },
  },
];

// ---- Plain loops: the arithmetic of each indicator and nothing else ----

function plainSma(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    sum += x[i];
    if (i >= n) sum -= x[i - n];
    out[i] = i >= n - 1 ? sum / n : NaN;
  }
  return out;
}

function plainEmaInto(x: Float64Array, n: number, out: Float64Array, from = 0): Float64Array {
  const alpha = 2 / (n + 1);
  out.fill(NaN, 0, Math.min(from + n - 1, x.length));
  let average = 0;
  for (let i = from; i < x.length; i++) {
    if (i < from + n) {
      average += x[i] / n;
      if (i < from + n - 1) continue;
    } else {
      average += alpha * (x[i] - average);
    }
    out[i] = average;
  }
  return out;
}

function plainEma(x: Float64Array, n: number): Float64Array {
  return plainEmaInto(x, n, new Float64Array(x.length));
}

function plainRsi(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(x.length);
  out[0] = NaN;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i < x.length; i++) {
    const change = x[i] - x[i - 1];
    const up = change > 0 ? change : 0;
    const down = change < 0 ? -change : 0;
    if (i <= n) {
      gain += up / n;
      loss += down / n;
      if (i < n) {
        out[i] = NaN;
        continue;
      }
    } else {
      gain += (up - gain) / n;
      loss += (down - loss) / n;
    }
    out[i] = (100 * gain) / (gain + loss);
  }
  return out;
}

function plainMacd(x: Float64Array, fast: number, slow: number, signal: number) {
  const macd = plainEmaInto(x, fast, new Float64Array(x.length));
  const slowEma = plainEmaInto(x, slow, new Float64Array(x.length));
  for (let i = 0; i < x.length; i++) macd[i] -= slowEma[i];
  const signalLine = plainEmaInto(macd, signal, slowEma, slow - 1);
  const histogram = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) histogram[i] = macd[i] - signalLine[i];
  return { macd, signal: signalLine, histogram };
}

function plainBollinger(x: Float64Array, n: number, k: number) {
  const middle = new Float64Array(x.length);
  const upper = new Float64Array(x.length);
  const lower = new Float64Array(x.length);
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < x.length; i++) {
    sum += x[i];
    squares += x[i] * x[i];
    if (i >= n) {
      sum -= x[i - n];
      squares -= x[i - n] * x[i - n];
    }
    const mean = sum / n;
    const width = k * Math.sqrt(Math.max(0, squares / n - mean * mean));
    const ready = i >= n - 1;
    middle[i] = ready ? mean : NaN;
    upper[i] = ready ? mean + width : NaN;
    lower[i] = ready ? mean - width : NaN;
  }
  return { middle, upper, lower };
}

function plainTrueRange(high: Float64Array, low: Float64Array, close: Float64Array): Float64Array {
  const out = new Float64Array(close.length);
  out[0] = NaN;
  for (let i = 1; i < close.length; i++) {
    out[i] = Math.max(high[i], close[i - 1]) - Math.min(low[i], close[i - 1]);
  }
  return out;
}

function plainAtr(high: Float64Array, low: Float64Array, close: Float64Array, n: number): Float64Array {
  const out = new Float64Array(close.length);
  out[0] = NaN;
  let average = 0;
  for (let i = 1; i < close.length; i++) {
    const range = Math.max(high[i], close[i - 1]) - Math.min(low[i], close[i - 1]);
    if (i <= n) {
      average += range / n;
      out[i] = i === n ? average : NaN;
    } else {
      average += (range - average) / n;
      out[i] = average;
    }
  }
  return out;
}

function plainVwap(price: Float64Array, volume: Float64Array, n: number): Float64Array {
  const out = new Float64Array(price.length);
  let weighted = 0;
  let total = 0;
  for (let i = 0; i < price.length; i++) {
    weighted += price[i] * volume[i];
    total += volume[i];
    if (i >= n) {
      weighted -= price[i - n] * volume[i - n];
      total -= volume[i - n];
    }
    out[i] = i >= n - 1 ? weighted / total : NaN;
  }
  return out;
}

/** Monotonic deque of indexes; sign -1 turns the maximum into a minimum. */
function plainRollingExtreme(x: Float64Array, n: number, sign: 1 | -1): Float64Array {
  const out = new Float64Array(x.length);
  const deque = new Int32Array(x.length);
  let head = 0;
  let tail = 0;
  for (let i = 0; i < x.length; i++) {
    if (tail > head && deque[head] <= i - n) head++;
    while (tail > head && sign * x[deque[tail - 1]] <= sign * x[i]) tail--;
    deque[tail++] = i;
    out[i] = i >= n - 1 ? x[deque[head]] : NaN;
  }
  return out;
}

function plainZscore(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(x.length);
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < x.length; i++) {
    sum += x[i];
    squares += x[i] * x[i];
    if (i >= n) {
      sum -= x[i - n];
      squares -= x[i - n] * x[i - n];
    }
    const mean = sum / n;
    out[i] = i >= n - 1 ? (x[i] - mean) / Math.sqrt(Math.max(0, squares / n - mean * mean)) : NaN;
  }
  return out;
}

// ---- Measurement ----

function syntheticSeries(points: number): Series {
  let seed = 42;
  const random = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 4_294_967_296;
  };
  const series: Series = {
    close: new Float64Array(points),
    high: new Float64Array(points),
    low: new Float64Array(points),
    volume: new Float64Array(points),
  };
  let price = 100;
  for (let i = 0; i < points; i++) {
    price = Math.max(1, price + (random() - 0.5));
    series.close[i] = price;
    series.high[i] = price + random();
    series.low[i] = price - random();
    series.volume[i] = Math.floor(random() * 10_000);
  }
  return series;
}

function sliceSeries(series: Series, points: number): Series {
  return {
    close: series.close.subarray(0, points),
    high: series.high.subarray(0, points),
    low: series.low.subarray(0, points),
    volume: series.volume.subarray(0, points),
  };
}

function toPlain(series: Series): PlainSeries {
  return {
    close: Array.from(series.close),
    high: Array.from(series.high),
    low: Array.from(series.low),
    volume: Array.from(series.volume),
  };
}

/** Best of three like Kestrel's own figures, unless one run already takes a second or more. */
function peerTime(run: () => unknown): number {
  const wallMs = () => timeOnce(run).wallMs;
  const first = wallMs();
  return first >= 1_000 ? first : Math.min(first, wallMs(), wallMs());
}

/** A slice length the peer can process within the budget, judged from a timed probe. */
function peerSliceLength(run: Run<PlainSeries>, probe: PlainSeries, points: number): number {
  run(probe);
  const probeMs = Math.max(timeOnce(() => run(probe)).wallMs, 0.01);
  const affordable = Math.floor((PEER_PROBE_POINTS * PEER_BUDGET_MS) / probeMs);
  if (affordable >= points) return points;
  const magnitude = 10 ** Math.floor(Math.log10(affordable));
  return Math.max(PEER_PROBE_POINTS, Math.floor(affordable / magnitude) * magnitude);
}

export async function runIndicatorBench(points: number, only?: readonly string[]): Promise<BenchRow[]> {
  const series = syntheticSeries(points);
  const warmUp = sliceSeries(series, Math.min(points, 100_000));
  const rows: BenchRow[] = [];
  const plainCache = new Map<number, PlainSeries>();
  const plainSlice = (length: number) => {
    if (!plainCache.has(length)) plainCache.set(length, toPlain(sliceSeries(series, length)));
    return plainCache.get(length)!;
  };
  const probe = plainSlice(Math.min(points, PEER_PROBE_POINTS));

  const selected = only === undefined ? CASES : CASES.filter((benchCase) => only.some((name) => benchCase.name.startsWith(name)));
  for (const benchCase of selected) {
    const [plain, kestrel] = bestTimes(benchCase.plain, benchCase.kestrel, series, warmUp, REPEATS);
    const [plainMs, kestrelMs] = [plain.wallMs, kestrel.wallMs];
    rows.push({
      indicator: benchCase.name,
      implementation: "kestrel",
      points,
      valuesPerSecond: points / (kestrelMs / 1000),
      ratioToPlain: plainMs / kestrelMs,
    });
    rows.push({ indicator: benchCase.name, implementation: "plain loop", points, valuesPerSecond: points / (plainMs / 1000) });
    for (const [peer, run] of Object.entries(benchCase.peers)) {
      if (typeof run === "string") {
        rows.push({ indicator: benchCase.name, implementation: peer, points: 0, valuesPerSecond: NaN, note: run });
        continue;
      }
      const length = peerSliceLength(run, probe, points);
      const input = plainSlice(length);
      const ms = peerTime(() => run(input));
      rows.push({
        indicator: benchCase.name,
        implementation: peer,
        points: length,
        valuesPerSecond: length / (ms / 1000),
        ...(length < points ? { note: `slice of ${length.toLocaleString("en-US")} points (time budget)` } : {}),
      });
    }
  }
  return rows;
}

export function formatBenchTable(rows: readonly BenchRow[]): string {
  const header = ["indicator", "implementation", "points", "values/s", "vs plain loop", "note"];
  const lines = rows.map((row) => [
    row.indicator,
    row.implementation,
    row.points > 0 ? row.points.toLocaleString("en-US") : "",
    Number.isNaN(row.valuesPerSecond) ? "" : `${(row.valuesPerSecond / 1e6).toFixed(1)} M`,
    row.ratioToPlain === undefined ? "" : `${row.ratioToPlain.toFixed(2)}x`,
    row.note ?? "",
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const render = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  return [render(header), render(widths.map((width) => "-".repeat(width))), ...lines.map(render)].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { points: { type: "string", default: "10000000" }, only: { type: "string" } } });
  const points = Number(values.points);
  if (!Number.isInteger(points) || points < 1_000) throw new RangeError(`--points must be an integer >= 1000, got ${values.points}`);
  const started = new Date();
  const rows = await runIndicatorBench(points, values.only?.split(","));
  console.log(`Indicator benchmark, ${points.toLocaleString("en-US")} points, ${started.toISOString()}`);
  console.log(`Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}`);
  console.log(formatBenchTable(rows));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
