"use client";

import { useEffect, useRef } from "react";
import { CandlestickSeries, LineSeries, createChart, createSeriesMarkers, type UTCTimestamp } from "lightweight-charts";

export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

export interface ChartMarker {
  time: number;
  side: "buy" | "sell";
  text: string;
}

const OVERLAY_COLOURS = ["#0ea5e9", "#a855f7", "#f59e0b", "#64748b"];

const seconds = (epochMs: number) => Math.floor(epochMs / 1000) as UTCTimestamp;

/** Candlesticks with indicator overlays and entry/exit markers; loaded with next/dynamic so it stays out of first-load JS. */
export default function CandleChart({
  candles,
  overlays,
  markers,
  label,
}: {
  candles: Candle[];
  overlays: { name: string; values: (number | null)[] }[];
  markers: ChartMarker[];
  label: string;
}) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!container.current) return;
    const dark = document.documentElement.classList.contains("dark");
    const chart = createChart(container.current, {
      height: 320,
      autoSize: true,
      layout: { background: { color: "transparent" }, textColor: dark ? "#cbd5e1" : "#334155" },
      grid: { vertLines: { visible: false }, horzLines: { color: dark ? "#1e293b" : "#e2e8f0" } },
    });
    const series = chart.addSeries(CandlestickSeries, { upColor: "#16a34a", downColor: "#dc2626", wickUpColor: "#16a34a", wickDownColor: "#dc2626", borderVisible: false });
    series.setData(candles.map((candle) => ({ ...candle, time: seconds(candle.time) })));
    overlays.forEach((overlay, index) => {
      const line = chart.addSeries(LineSeries, { color: OVERLAY_COLOURS[index % OVERLAY_COLOURS.length], lineWidth: 1, title: overlay.name, priceLineVisible: false, lastValueVisible: false });
      line.setData(
        candles.flatMap((candle, i) => {
          const value = overlay.values[i];
          return value === null || value === undefined ? [] : [{ time: seconds(candle.time), value }];
        }),
      );
    });
    createSeriesMarkers(
      series,
      [...markers]
        .sort((a, b) => a.time - b.time)
        .map((marker) => ({
          time: seconds(marker.time),
          position: marker.side === "buy" ? ("belowBar" as const) : ("aboveBar" as const),
          shape: marker.side === "buy" ? ("arrowUp" as const) : ("arrowDown" as const),
          color: marker.side === "buy" ? "#16a34a" : "#dc2626",
          text: marker.text,
        })),
    );
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [candles, overlays, markers]);

  return <div ref={container} role="img" aria-label={label} className="h-80 w-full" />;
}
