/** One OHLCV bar. `time` is the bar's opening instant in epoch milliseconds, UTC. */
export interface Bar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * Bars stored column-wise, so indicators and backtests read contiguous typed arrays.
 * Every column has exactly `length` elements.
 */
export interface BarSeries {
  readonly symbol?: string;
  readonly length: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

const COLUMNS = ["time", "open", "high", "low", "close", "volume"] as const;

/** The bar at `index` as a plain object. Throws a RangeError for an index outside the series. */
export function barAt(series: BarSeries, index: number): Bar {
  if (!Number.isInteger(index) || index < 0 || index >= series.length) {
    throw new RangeError(`barAt: index ${index} is outside the series (length ${series.length})`);
  }
  return {
    time: series.time[index],
    open: series.open[index],
    high: series.high[index],
    low: series.low[index],
    close: series.close[index],
    volume: series.volume[index],
  };
}

/** Copies the bar at `index` into `bar`: for loops that reuse one Bar rather than allocate one per bar. */
export function readBarInto(series: BarSeries, index: number, bar: Bar): Bar {
  bar.time = series.time[index];
  bar.open = series.open[index];
  bar.high = series.high[index];
  bar.low = series.low[index];
  bar.close = series.close[index];
  bar.volume = series.volume[index];
  return bar;
}

/**
 * Bars `start` (inclusive) to `end` (exclusive), with Array.prototype.slice's rules for
 * negative and missing bounds. The columns are views on the same memory, not copies.
 */
export function sliceSeries(series: BarSeries, start?: number, end?: number): BarSeries {
  const [from, to] = resolveSliceBounds(series.length, start, end);
  return {
    ...(series.symbol === undefined ? {} : { symbol: series.symbol }),
    length: to - from,
    time: series.time.subarray(from, to),
    open: series.open.subarray(from, to),
    high: series.high.subarray(from, to),
    low: series.low.subarray(from, to),
    close: series.close.subarray(from, to),
    volume: series.volume.subarray(from, to),
  };
}

function resolveSliceBounds(length: number, start = 0, end = length): [number, number] {
  const clamp = (bound: number) => {
    const whole = Math.trunc(bound);
    return whole < 0 ? Math.max(length + whole, 0) : Math.min(whole, length);
  };
  const from = clamp(start);
  return [from, Math.max(from, clamp(end))];
}

/** Copies bars into a column-wise series. The bars are taken as they are: validate them first. */
export function seriesFromBars(bars: readonly Bar[], symbol?: string): BarSeries {
  const columns = Object.fromEntries(COLUMNS.map((name) => [name, new Float64Array(bars.length)])) as Record<
    (typeof COLUMNS)[number],
    Float64Array
  >;
  bars.forEach((bar, index) => {
    for (const name of COLUMNS) columns[name][index] = bar[name];
  });
  return { ...(symbol === undefined ? {} : { symbol }), length: bars.length, ...columns };
}
