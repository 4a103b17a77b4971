"use client";

import dynamic from "next/dynamic";
import { useEffect, useMemo, useState } from "react";
import type { StrategyChart } from "@/lib/services/strategy-directory";

const CandleChart = dynamic(() => import("@/app/components/charts/candle-chart"), { ssr: false, loading: () => <p className="text-sm">Loading chart…</p> });

const REFRESH_MS = 5_000;

type Loaded = { chart: StrategyChart } | { error: string } | null;

/** One symbol of a strategy instance: candles, indicator lines and its entries and exits; refreshed every few seconds. */
export function StrategySymbolChart({ id, symbols }: { id: string; symbols: readonly string[] }) {
  const [symbol, setSymbol] = useState(symbols[0] ?? "");
  const loaded = useChart(id, symbol);
  const chart = loaded && "chart" in loaded ? loaded.chart : null;
  const candles = useMemo(() => (chart ? chart.bars.map(({ time, open, high, low, close }) => ({ time, open, high, low, close })) : []), [chart]);
  const overlays = useMemo(() => (chart ? chart.overlays.map((line) => ({ name: line.name, values: [...line.values] })) : []), [chart]);
  const markers = useMemo(() => (chart ? chart.markers.map((marker) => ({ time: marker.time, side: marker.side, text: marker.text })) : []), [chart]);
  if (!symbol) return null;
  return (
    <div className="flex flex-col gap-2" data-testid={`strategy-chart-${id}`}>
      {symbols.length > 1 && (
        <label className="flex items-center gap-2 text-sm">
          Chart symbol
          <select value={symbol} onChange={(event) => setSymbol(event.target.value)} className="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900">
            {symbols.map((option) => (
              <option key={option}>{option}</option>
            ))}
          </select>
        </label>
      )}
      {loaded && "error" in loaded && <p role="status" className="text-sm text-slate-600 dark:text-slate-400">{loaded.error}</p>}
      {chart && chart.bars.length === 0 && <p className="text-sm text-slate-600 dark:text-slate-400">No bars for {symbol} yet: start the strategy to build them.</p>}
      {chart && chart.bars.length > 0 && <CandleChart candles={candles} overlays={overlays} markers={markers} label={`${symbol} price with the strategy's entries and exits`} />}
    </div>
  );
}

function useChart(id: string, symbol: string): Loaded {
  const [loaded, setLoaded] = useState<Loaded>(null);
  useEffect(() => {
    if (!symbol) return;
    let live = true;
    const load = async () => {
      const next = await fetchChart(id, symbol);
      if (live) setLoaded(next);
    };
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [id, symbol]);
  return loaded;
}

async function fetchChart(id: string, symbol: string): Promise<Loaded> {
  try {
    const response = await fetch(`/api/strategies/${encodeURIComponent(id)}/chart?symbol=${encodeURIComponent(symbol)}`);
    const body = (await response.json().catch(() => null)) as (StrategyChart & { error?: { message?: string } }) | null;
    if (response.ok && body) return { chart: body };
    if (response.status === 404) return { error: `No bars for ${symbol} yet: start the strategy to build them.` };
    return { error: body?.error?.message ?? `The chart could not be loaded (the server answered ${response.status}).` };
  } catch {
    return { error: "The chart could not be loaded: the server is unreachable." };
  }
}
