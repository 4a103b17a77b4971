import type { Bar } from "@/lib/core/data/bars";
import { encodePng, Raster, type Rgb } from "./png";

export interface SetupChartInput {
  bars: readonly Pick<Bar, "open" | "high" | "low" | "close">[];
  entry: number;
  target: number | null;
  stop: number | null;
}

const WIDTH = 480;
const HEIGHT = 240;
const PADDING = 12;
const MAX_BARS = 80;
const COLORS = {
  background: [22, 24, 29],
  grid: [48, 52, 60],
  up: [38, 166, 154],
  down: [239, 83, 80],
  entry: [66, 135, 245],
  target: [76, 175, 80],
  stop: [244, 67, 54],
} satisfies Record<string, Rgb>;

/**
 * A small candlestick PNG of the recent bars with the setup's entry (solid), target and stop
 * (dashed) drawn across it; rendered in-process so no native image library is needed.
 */
export function renderSetupChart(input: SetupChartInput): Buffer {
  const raster = new Raster(WIDTH, HEIGHT, COLORS.background);
  const bars = input.bars.slice(-MAX_BARS);
  const levels = [input.entry, input.target, input.stop].filter((level): level is number => level !== null && Number.isFinite(level));
  const prices = [...bars.flatMap((bar) => [bar.high, bar.low]), ...levels];
  const low = Math.min(...prices);
  const high = Math.max(...prices);
  const span = high - low || Math.abs(high) * 0.01 || 1;
  const y = (price: number) => PADDING + ((high - price) / span) * (HEIGHT - 2 * PADDING);
  for (let row = 1; row < 4; row++) raster.line(0, (HEIGHT * row) / 4, WIDTH - 1, (HEIGHT * row) / 4, COLORS.grid, true);
  drawCandles(raster, bars, y);
  raster.line(0, y(input.entry), WIDTH - 1, y(input.entry), COLORS.entry);
  if (input.target !== null) raster.line(0, y(input.target), WIDTH - 1, y(input.target), COLORS.target, true);
  if (input.stop !== null) raster.line(0, y(input.stop), WIDTH - 1, y(input.stop), COLORS.stop, true);
  return encodePng(raster);
}

function drawCandles(raster: Raster, bars: SetupChartInput["bars"], y: (price: number) => number): void {
  if (bars.length === 0) return;
  const slot = (WIDTH - 2 * PADDING) / bars.length;
  const body = Math.max(1, Math.floor(slot * 0.6));
  bars.forEach((bar, index) => {
    const center = PADDING + slot * index + slot / 2;
    const color = bar.close >= bar.open ? COLORS.up : COLORS.down;
    raster.line(center, y(bar.high), center, y(bar.low), color);
    const top = y(Math.max(bar.open, bar.close));
    raster.fillRect(center - body / 2, top, body, Math.max(1, y(Math.min(bar.open, bar.close)) - top), color);
  });
}
