"use client";

import dynamic from "next/dynamic";
import { useEffect, useMemo, useState } from "react";
import type { BacktestMetrics, BacktestRunListItem, BacktestRunPage, BacktestRunView, BacktestSummary } from "@/lib/services/backtest-run-views";
import { postJson } from "@/app/components/post-json";
import { formatMoney, formatPrice, formatQuantity, pnlClass } from "@/app/components/format";

const CandleChart = dynamic(() => import("@/app/components/charts/candle-chart"), { ssr: false, loading: () => <p className="text-sm">Loading chart…</p> });
const SeriesChart = dynamic(() => import("@/app/components/charts/series-chart"), { ssr: false, loading: () => <p className="text-sm">Loading chart…</p> });

export interface StrategyChoice {
  name: string;
  description: string;
  defaults: Record<string, unknown>;
}

interface SeriesOption {
  id: number;
  symbol: string;
  barSize: string;
  barCount: number;
}

const POLL_MS = 250;
const input = "rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900";

export function BacktestWorkbench({ strategies }: { strategies: StrategyChoice[] }) {
  const [current, setCurrent] = useState<BacktestRunView | null>(null);
  const [compare, setCompare] = useState<string[]>([]);
  const runs = useRunList(current);

  useEffect(() => {
    if (!current || current.status === "done" || current.status === "failed") return;
    const timer = setTimeout(async () => {
      const response = await fetch(`/api/backtests/${current.id}`, { cache: "no-store" }).catch(() => null);
      if (response?.ok) setCurrent((await response.json()) as BacktestRunView);
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [current]);

  async function open(id: string) {
    const response = await fetch(`/api/backtests/${id}`, { cache: "no-store" }).catch(() => null);
    if (response?.ok) setCurrent((await response.json()) as BacktestRunView);
  }

  const toggleCompare = (id: string) => setCompare((list) => (list.includes(id) ? list.filter((item) => item !== id) : [...list.slice(-1), id]));

  return (
    <div className="flex flex-col gap-6">
      <RunForm strategies={strategies} onStarted={setCurrent} />
      {current && <RunProgress run={current} />}
      {current?.status === "done" && current.summary && <RunResult run={current} summary={current.summary} />}
      <RunList runs={runs} compare={compare} onToggle={toggleCompare} onOpen={open} />
      {compare.length === 2 && <Comparison ids={compare} />}
    </div>
  );
}

function RunForm({ strategies, onStarted }: { strategies: StrategyChoice[]; onStarted: (run: BacktestRunView) => void }) {
  const [source, setSource] = useState<"csv" | "stored">("csv");
  const [file, setFile] = useState<File | null>(null);
  const [series, setSeries] = useState<SeriesOption[] | null>(null);
  const [seriesId, setSeriesId] = useState<number | null>(null);
  const [strategy, setStrategy] = useState(strategies[0]?.name ?? "");
  const [parameters, setParameters] = useState(() => JSON.stringify(strategies[0]?.defaults ?? {}, null, 2));
  const [fill, setFill] = useState("close");
  const [commission, setCommission] = useState("zero");
  const [capital, setCapital] = useState("100000");
  const [slippage, setSlippage] = useState("0");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (source !== "stored" || series !== null) return;
    fetch("/api/backtests/series", { cache: "no-store" })
      .then((response) => (response.ok ? response.json() : { series: [] }))
      .then((body: { series: SeriesOption[] }) => setSeries(body.series))
      .catch(() => setSeries([]));
  }, [source, series]);

  function chooseStrategy(name: string) {
    setStrategy(name);
    setParameters(JSON.stringify(strategies.find((choice) => choice.name === name)?.defaults ?? {}, null, 2));
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setError(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(parameters);
    } catch {
      setError("Parameters must be a JSON object, e.g. {\"fast\": 20}.");
      return;
    }
    let data: unknown;
    if (source === "csv") {
      if (!file) return setError("Choose a CSV file (date,open,high,low,close,volume).");
      data = { kind: "csv", name: file.name, text: await file.text() };
    } else {
      if (seriesId === null) return setError("Choose a stored bar series.");
      data = { kind: "stored", seriesId };
    }
    setBusy(true);
    const outcome = await postJson<BacktestRunView>("/api/backtests", {
      data,
      strategy,
      parameters: parsed,
      fill,
      commission,
      capital: Number(capital),
      slippageBps: Number(slippage),
    });
    setBusy(false);
    if (outcome.ok) onStarted(outcome.body);
    else setError(outcome.message);
  }

  return (
    <form onSubmit={submit} aria-label="New backtest" className="grid gap-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900 md:grid-cols-2">
      <fieldset className="flex flex-col gap-2">
        <legend className="font-semibold">Data</legend>
        <label className="flex items-center gap-2">
          <input type="radio" name="source" checked={source === "csv"} onChange={() => setSource("csv")} /> Upload CSV
        </label>
        {source === "csv" && <input type="file" accept=".csv,text/csv" aria-label="CSV file" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />}
        <label className="flex items-center gap-2">
          <input type="radio" name="source" checked={source === "stored"} onChange={() => setSource("stored")} /> Stored bars
        </label>
        {source === "stored" &&
          (series === null ? (
            <span className="text-sm">Loading…</span>
          ) : series.length === 0 ? (
            <span className="text-sm text-slate-500">No stored bar series yet.</span>
          ) : (
            <select aria-label="Stored series" className={input} value={seriesId ?? ""} onChange={(event) => setSeriesId(Number(event.target.value))}>
              <option value="" disabled>
                Choose…
              </option>
              {series.map((option) => (
                <option key={option.id} value={option.id}>
                  {option.symbol} {option.barSize} ({option.barCount} bars)
                </option>
              ))}
            </select>
          ))}
      </fieldset>
      <fieldset className="flex flex-col gap-2">
        <legend className="font-semibold">Strategy</legend>
        <select aria-label="Strategy" className={input} value={strategy} onChange={(event) => chooseStrategy(event.target.value)}>
          {strategies.map((choice) => (
            <option key={choice.name} value={choice.name}>
              {choice.name}
            </option>
          ))}
        </select>
        <label className="flex flex-col gap-1 text-sm">
          Parameters (JSON)
          <textarea className={`${input} font-mono`} rows={6} value={parameters} onChange={(event) => setParameters(event.target.value)} />
        </label>
      </fieldset>
      <fieldset className="grid grid-cols-2 gap-2 text-sm md:col-span-2 md:grid-cols-4">
        <legend className="font-semibold">Execution</legend>
        <label className="flex flex-col gap-1">
          Fill
          <select className={input} value={fill} onChange={(event) => setFill(event.target.value)}>
            <option value="close">signal bar close</option>
            <option value="next-open">next open</option>
          </select>
        </label>
        <label className="flex flex-col gap-1">
          Commission
          <select className={input} value={commission} onChange={(event) => setCommission(event.target.value)}>
            <option value="zero">zero</option>
            <option value="ibkr-fixed">IBKR fixed</option>
          </select>
        </label>
        <label className="flex flex-col gap-1">
          Capital
          <input className={`${input} num`} inputMode="decimal" value={capital} onChange={(event) => setCapital(event.target.value)} />
        </label>
        <label className="flex flex-col gap-1">
          Slippage (bp)
          <input className={`${input} num`} inputMode="decimal" value={slippage} onChange={(event) => setSlippage(event.target.value)} />
        </label>
      </fieldset>
      <div className="flex items-center gap-3 md:col-span-2">
        <button type="submit" disabled={busy} className="rounded-md bg-sky-700 px-4 py-2 font-semibold text-white hover:bg-sky-800 focus:outline-none focus-visible:ring-4 focus-visible:ring-sky-300 disabled:opacity-50">
          Run backtest
        </button>
        {error && (
          <p role="alert" className="text-rose-700 dark:text-rose-400">
            {error}
          </p>
        )}
      </div>
    </form>
  );
}

function RunProgress({ run }: { run: BacktestRunView }) {
  const percent = Math.round(run.progress * 100);
  return (
    <section aria-label="Run progress" className="flex flex-col gap-1">
      <div className="flex justify-between text-sm">
        <span>{run.label}</span>
        <span data-testid="run-status">{run.status}</span>
      </div>
      <div role="progressbar" aria-label="Backtest progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} className="h-3 w-full rounded bg-slate-200 dark:bg-slate-800">
        <div className="h-3 rounded bg-sky-600 transition-all" style={{ width: `${percent}%` }} />
      </div>
      {run.status === "failed" && (
        <p role="alert" className="text-rose-700 dark:text-rose-400">
          The backtest failed: {run.error}
        </p>
      )}
    </section>
  );
}

const percentText = (value: number | null) => (value === null || !Number.isFinite(value) ? "—" : `${(value * 100).toFixed(2)}%`);
const ratioText = (value: number | null) => (value === null || !Number.isFinite(value) ? "—" : value.toFixed(3));

export const METRICS: { key: keyof BacktestMetrics; label: string; format: (summary: BacktestMetrics) => string }[] = [
  { key: "finalCapital", label: "Final capital", format: (s) => formatMoney(s.finalCapital) },
  { key: "totalReturn", label: "Total return", format: (s) => percentText(s.totalReturn) },
  { key: "cagr", label: "CAGR", format: (s) => percentText(s.cagr) },
  { key: "sharpe", label: "Sharpe", format: (s) => ratioText(s.sharpe) },
  { key: "sortino", label: "Sortino", format: (s) => ratioText(s.sortino) },
  { key: "maxDrawdown", label: "Max drawdown", format: (s) => percentText(s.maxDrawdown) },
  { key: "tradeCount", label: "Trades", format: (s) => String(s.tradeCount) },
  { key: "winRate", label: "Win rate", format: (s) => percentText(s.winRate) },
  { key: "profitFactor", label: "Profit factor", format: (s) => ratioText(s.profitFactor) },
  { key: "profitPerTrade", label: "Profit per trade", format: (s) => formatMoney(s.profitPerTrade) },
  { key: "exposure", label: "Exposure", format: (s) => percentText(s.exposure) },
  { key: "bars", label: "Bars", format: (s) => `${s.bars} (${s.firstBar} .. ${s.lastBar})` },
];

function RunResult({ run, summary }: { run: BacktestRunView; summary: BacktestSummary }) {
  const chart = run.chart;
  const points = useMemo(() => (chart ? chart.time.map((time, i) => ({ time, equity: chart.equity[i], drawdown: chart.drawdown[i] * 100 })) : []), [chart]);
  const candles = useMemo(() => (chart ? chart.time.map((time, i) => ({ time, open: chart.open[i], high: chart.high[i], low: chart.low[i], close: chart.close[i] })) : []), [chart]);
  const markers = useMemo(
    () =>
      summary.trades.flatMap((trade) => [
        { time: Date.parse(trade.entryDate), side: trade.direction === "long" ? ("buy" as const) : ("sell" as const), text: "in" },
        { time: Date.parse(trade.exitDate), side: trade.direction === "long" ? ("sell" as const) : ("buy" as const), text: "out" },
      ]),
    [summary],
  );
  return (
    <section aria-label="Backtest result" className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="text-lg font-semibold">Result: {run.label}</h2>
        <a href={`/api/backtests/${run.id}/trades`} download className="rounded border border-slate-300 px-3 py-1 text-sm dark:border-slate-700">
          Download trades CSV
        </a>
        <a href={`/api/backtests/${run.id}/equity`} download className="rounded border border-slate-300 px-3 py-1 text-sm dark:border-slate-700">
          Download equity CSV
        </a>
      </div>
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        {METRICS.map((metric) => (
          <div key={metric.key} className="rounded border border-slate-200 bg-white p-2 dark:border-slate-800 dark:bg-slate-900">
            <dt className="text-xs uppercase text-slate-500">{metric.label}</dt>
            <dd data-testid={`metric-${metric.key}`} className="num font-semibold">
              {metric.format(summary)}
            </dd>
          </div>
        ))}
      </dl>
      <h3 className="font-semibold">Equity curve</h3>
      <SeriesChart points={points} lines={[{ key: "equity", name: "Equity", colour: "#0284c7" }]} label="Equity curve" />
      <h3 className="font-semibold">Drawdown</h3>
      <SeriesChart points={points} lines={[{ key: "drawdown", name: "Drawdown %", colour: "#dc2626" }]} label="Drawdown" area format={(value) => `${value.toFixed(1)}%`} />
      {chart && (
        <>
          <h3 className="font-semibold">Candles with trades</h3>
          <CandleChart candles={candles} overlays={chart.overlays} markers={markers} label="Price with entries and exits" />
        </>
      )}
      <TradeList summary={summary} />
    </section>
  );
}

function TradeList({ summary }: { summary: BacktestSummary }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <table aria-label="Trades" className="w-full text-sm">
        <thead className="text-left text-xs uppercase text-slate-500">
          <tr>
            {["Direction", "Entry", "Exit"].map((label) => (
              <th key={label} scope="col" className="px-3 py-2">
                {label}
              </th>
            ))}
            {["Entry price", "Exit price", "Quantity", "P&L", "Commission"].map((label) => (
              <th key={label} scope="col" className="num px-3 py-2">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {summary.trades.map((trade, index) => (
            <tr key={index} data-testid="trade-row" className="border-t border-slate-100 dark:border-slate-800">
              <td className="px-3 py-1">{trade.direction}</td>
              <td className="px-3 py-1 font-mono">{trade.entryDate}</td>
              <td className="px-3 py-1 font-mono">{trade.exitDate}</td>
              <td className="num px-3 py-1">{formatPrice(trade.entryPrice)}</td>
              <td className="num px-3 py-1">{formatPrice(trade.exitPrice)}</td>
              <td className="num px-3 py-1">{formatQuantity(trade.quantity)}</td>
              <td className={`num px-3 py-1 ${pnlClass(trade.pnl)}`}>{formatPrice(trade.pnl)}</td>
              <td className="num px-3 py-1">{formatPrice(trade.commission)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Stored runs newest first, refreshed when a run finishes; older pages on demand. */
function useRunList(current: BacktestRunView | null) {
  const [runs, setRuns] = useState<BacktestRunListItem[]>([]);
  const [nextBefore, setNextBefore] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const fetchPage = async (before: string | null): Promise<BacktestRunPage | null> => {
    const response = await fetch(`/api/backtests?limit=${RUN_PAGE_SIZE}${before ? `&before=${before}` : ""}`, { cache: "no-store" }).catch(() => null);
    return response?.ok ? ((await response.json()) as BacktestRunPage) : null;
  };

  useEffect(() => {
    if (current && current.status !== "done" && current.status !== "failed") return;
    let cancelled = false;
    void fetchPage(null).then((page) => {
      if (cancelled || !page) return;
      setRuns(page.runs);
      setNextBefore(page.nextBefore);
    });
    return () => {
      cancelled = true;
    };
  }, [current]);

  async function loadOlder() {
    if (!nextBefore) return;
    setLoading(true);
    const page = await fetchPage(nextBefore);
    setLoading(false);
    if (!page) return;
    setRuns((list) => [...list, ...page.runs.filter((run) => !list.some((known) => known.id === run.id))]);
    setNextBefore(page.nextBefore);
  }

  return { list: runs, loadOlder: nextBefore ? loadOlder : null, loading };
}

const RUN_PAGE_SIZE = 20;

function RunList({ runs, compare, onToggle, onOpen }: { runs: ReturnType<typeof useRunList>; compare: string[]; onToggle: (id: string) => void; onOpen: (id: string) => void }) {
  if (runs.list.length === 0) return null;
  return (
    <section aria-label="Recent runs" className="flex flex-col gap-2">
      <h2 className="text-lg font-semibold">Recent runs</h2>
      <p className="text-sm text-slate-500">Tick two runs to compare them side by side. Runs are kept across restarts.</p>
      <ul className="flex flex-col gap-1 text-sm">
        {runs.list.map((run) => (
          <li key={run.id} data-testid="run-row" className="flex flex-wrap items-center gap-2">
            <label className="flex items-center gap-2">
              <input type="checkbox" aria-label={`Compare ${run.label}`} disabled={run.status !== "done"} checked={compare.includes(run.id)} onChange={() => onToggle(run.id)} />
              <span>{run.label}</span>
            </label>
            <span className="text-slate-500">{run.status}</span>
            {run.metrics && <span className="num">{percentText(run.metrics.totalReturn)}</span>}
            <span className="text-xs text-slate-500">
              {new Date(run.createdAt).toLocaleString("en-GB")}
              {run.createdBy ? ` by ${run.createdBy}` : ""}
            </span>
            {run.status === "failed" && run.error && <span className="text-xs text-rose-700 dark:text-rose-400">{run.error}</span>}
            {run.status === "done" && (
              <button type="button" onClick={() => onOpen(run.id)} className="rounded border border-slate-300 px-2 text-xs dark:border-slate-700">
                Show
              </button>
            )}
          </li>
        ))}
      </ul>
      {runs.loadOlder && (
        <button type="button" onClick={runs.loadOlder} disabled={runs.loading} className="self-start rounded border border-slate-300 px-3 py-1 text-sm disabled:opacity-50 dark:border-slate-700">
          {runs.loading ? "Loading…" : "Load older runs"}
        </button>
      )}
    </section>
  );
}

/** Two stored runs' figures side by side, fetched by id so older pages' runs compare too. */
function Comparison({ ids }: { ids: string[] }) {
  const [chosen, setChosen] = useState<BacktestRunListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = ids.join(",");
  useEffect(() => {
    let cancelled = false;
    fetch(`/api/backtests/compare?ids=${key}`, { cache: "no-store" })
      .then(async (response) => {
        const body = (await response.json()) as { runs?: BacktestRunListItem[]; error?: { message: string } };
        if (cancelled) return;
        setChosen(body.runs ?? null);
        setError(response.ok ? null : (body.error?.message ?? `the server answered ${response.status}`));
      })
      .catch((failure: unknown) => !cancelled && setError(String(failure)));
    return () => {
      cancelled = true;
    };
  }, [key]);
  if (error)
    return (
      <p role="alert" className="text-rose-700 dark:text-rose-400">
        The comparison could not be loaded: {error}
      </p>
    );
  const withMetrics = (chosen ?? []).filter((run): run is BacktestRunListItem & { metrics: BacktestMetrics } => run.metrics !== null);
  if (withMetrics.length !== 2) return null;
  return (
    <table aria-label="Run comparison" className="w-full rounded-lg border border-slate-200 bg-white text-sm dark:border-slate-800 dark:bg-slate-900">
      <thead>
        <tr>
          <th scope="col" className="px-3 py-2 text-left">Metric</th>
          {withMetrics.map((run) => (
            <th key={run.id} scope="col" className="num px-3 py-2">
              {run.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {METRICS.map((metric) => (
          <tr key={metric.key} className="border-t border-slate-100 dark:border-slate-800">
            <th scope="row" className="px-3 py-1 text-left font-medium">{metric.label}</th>
            {withMetrics.map((run) => (
              <td key={run.id} className="num px-3 py-1">
                {metric.format(run.metrics)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
