"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";
import { postJson } from "@/app/components/post-json";
import type { HeatmapCell, ResultRow, SweepProgress } from "@/lib/services/research/service";
import { TableHead } from "@/app/components/table-head";

export interface StrategyTemplate {
  name: string;
  description: string;
  space: Record<string, { from: number; to: number; step: number }>;
  fixed: Record<string, number | string | boolean>;
}

interface SeriesOption {
  id: number;
  label: string;
}

interface SweepDetail {
  progress: SweepProgress;
  request: { strategy: string; space: Record<string, unknown>; validation: { mode: string } } | null;
  summary: SeriesSummary[] | null;
}

interface SeriesSummary {
  seriesId: number;
  symbol: string;
  chosenOosSharpe: number | null;
  holdout: Record<string, number | null> | null;
  verdict: {
    chosen: { paramIndex: number; parameters: Record<string, unknown>; sharpe: number } | null;
    trials: number;
    deflatedSharpe: { benchmark: number; probability: number } | null;
    pbo: { probability: number; splits: number } | null;
    plateau: { verdict: string; neighbours: number; retained: number | null } | null;
    walkForward: { index: number; paramIndex: number; trainSharpe: number; testSharpe: number; testReturn: number }[];
  };
}

const POLL_MS = 2_000;
const field = "rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900";
const button = "rounded bg-sky-700 px-3 py-1 text-white hover:bg-sky-800 disabled:opacity-50";
const finished = (status: string) => status === "done" || status === "cancelled" || status === "failed";
const fixed2 = (value: number | null | undefined) => (value === null || value === undefined || !Number.isFinite(value) ? "—" : value.toFixed(2));
const percent = (value: number | null | undefined) => (value === null || value === undefined || !Number.isFinite(value) ? "—" : `${(value * 100).toFixed(1)}%`);

async function getJson<T>(url: string): Promise<T | null> {
  const response = await fetch(url, { cache: "no-store" }).catch(() => null);
  return response?.ok ? ((await response.json()) as T) : null;
}

export function ResearchView({ strategies, series }: { strategies: StrategyTemplate[]; series: SeriesOption[] }) {
  const [sweeps, setSweeps] = useState<SweepProgress[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const refresh = useCallback(async () => {
    const body = await getJson<{ sweeps: SweepProgress[] }>("/api/research/sweeps");
    if (body) setSweeps(body.sweeps);
  }, []);
  useEffect(() => {
    const first = setTimeout(() => void refresh(), 0);
    const timer = setInterval(() => void refresh(), POLL_MS);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [refresh]);
  return (
    <div className="flex flex-col gap-6">
      <CsvImport />
      <SweepForm strategies={strategies} series={series} onQueued={(id) => {
          setSelected(id);
          void refresh();
        }} />
      <SweepList sweeps={sweeps} selected={selected} onSelect={setSelected} />
      {selected !== null && <SweepDetailView key={selected} id={selected} />}
    </div>
  );
}

function SweepForm({ strategies, series, onQueued }: { strategies: StrategyTemplate[]; series: SeriesOption[]; onQueued: (id: number) => void }) {
  const [strategy, setStrategy] = useState(strategies[0]?.name ?? "");
  const template = strategies.find((entry) => entry.name === strategy);
  const [space, setSpace] = useState(() => JSON.stringify(strategies[0]?.space ?? {}, null, 1));
  const [fixed, setFixed] = useState(() => JSON.stringify(strategies[0]?.fixed ?? {}));
  const [name, setName] = useState("");
  const [search, setSearch] = useState<"grid" | "random">("grid");
  const [count, setCount] = useState("500");
  const [seed, setSeed] = useState("1");
  const [seriesIds, setSeriesIds] = useState<number[]>(series[0] ? [series[0].id] : []);
  const [mode, setMode] = useState("rolling");
  const [trainBars, setTrainBars] = useState("500");
  const [testBars, setTestBars] = useState("125");
  const [holdout, setHoldout] = useState("0.2");
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const pickStrategy = (next: string) => {
    const chosen = strategies.find((entry) => entry.name === next);
    setStrategy(next);
    setSpace(JSON.stringify(chosen?.space ?? {}, null, 1));
    setFixed(JSON.stringify(chosen?.fixed ?? {}));
  };

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    let parsedSpace: unknown;
    let parsedFixed: unknown;
    try {
      parsedSpace = JSON.parse(space);
      parsedFixed = JSON.parse(fixed || "{}");
    } catch {
      setMessage("The parameter space and the fixed parameters must be JSON objects.");
      return;
    }
    setBusy(true);
    const outcome = await postJson<SweepProgress>("/api/research/sweeps", {
      name: name || `${strategy} sweep`,
      strategy,
      space: parsedSpace,
      fixed: parsedFixed,
      search: search === "grid" ? { kind: "grid" } : { kind: "random", count: Number(count), seed: Number(seed) },
      seriesIds,
      validation: mode === "none" ? { mode, holdoutFraction: Number(holdout) } : { mode, trainBars: Number(trainBars), testBars: Number(testBars), holdoutFraction: Number(holdout) },
    });
    setBusy(false);
    if (outcome.ok) {
      setMessage(`Queued sweep ${outcome.body.id}: ${outcome.body.runsTotal} runs in ${outcome.body.chunksTotal} jobs.`);
      onQueued(outcome.body.id);
    } else setMessage(outcome.message);
  };

  return (
    <form onSubmit={submit} className="grid gap-3 rounded border border-slate-200 p-4 dark:border-slate-800 md:grid-cols-2" aria-label="New sweep">
      <h2 className="text-lg font-semibold md:col-span-2">New sweep</h2>
      <label className="flex flex-col gap-1 text-sm">
        Name
        <input className={field} value={name} onChange={(event) => setName(event.target.value)} placeholder={`${strategy} sweep`} />
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Strategy
        <select className={field} value={strategy} onChange={(event) => pickStrategy(event.target.value)}>
          {strategies.map((entry) => (
            <option key={entry.name} value={entry.name}>
              {entry.name}
            </option>
          ))}
        </select>
        <span className="text-xs text-slate-500">{template?.description}</span>
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Parameter space (JSON: {"{"}name: {"{"}from, to, step{"}"} or {"{"}values: [...]{"}"}{"}"})
        <textarea className={`${field} font-mono`} rows={6} value={space} onChange={(event) => setSpace(event.target.value)} />
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Fixed parameters (JSON)
        <textarea className={`${field} font-mono`} rows={6} value={fixed} onChange={(event) => setFixed(event.target.value)} />
      </label>
      <fieldset className="flex flex-wrap items-end gap-3 text-sm">
        <legend className="mb-1">Search</legend>
        <select className={field} value={search} onChange={(event) => setSearch(event.target.value as "grid" | "random")} aria-label="Search kind">
          <option value="grid">grid (every combination)</option>
          <option value="random">random (seeded sample)</option>
        </select>
        {search === "random" && (
          <>
            <label className="flex flex-col">
              Sets
              <input className={`${field} w-24`} value={count} onChange={(event) => setCount(event.target.value)} inputMode="numeric" />
            </label>
            <label className="flex flex-col">
              Seed
              <input className={`${field} w-20`} value={seed} onChange={(event) => setSeed(event.target.value)} inputMode="numeric" />
            </label>
          </>
        )}
      </fieldset>
      <fieldset className="flex flex-col gap-1 text-sm">
        <legend className="mb-1">Bar series</legend>
        {series.length === 0 && <span className="text-slate-500">No stored bars yet: import a CSV first.</span>}
        {series.map((entry) => (
          <label key={entry.id} className="flex items-center gap-2">
            <input
              type="checkbox"
              checked={seriesIds.includes(entry.id)}
              onChange={(event) => setSeriesIds((ids) => (event.target.checked ? [...ids, entry.id] : ids.filter((id) => id !== entry.id)))}
            />
            {entry.label}
          </label>
        ))}
      </fieldset>
      <fieldset className="flex flex-wrap items-end gap-3 text-sm md:col-span-2">
        <legend className="mb-1">Validation</legend>
        <select className={field} value={mode} onChange={(event) => setMode(event.target.value)} aria-label="Walk-forward mode">
          <option value="rolling">rolling walk-forward</option>
          <option value="anchored">anchored walk-forward</option>
          <option value="none">no walk-forward</option>
        </select>
        {mode !== "none" && (
          <>
            <label className="flex flex-col">
              Train bars
              <input className={`${field} w-24`} value={trainBars} onChange={(event) => setTrainBars(event.target.value)} inputMode="numeric" />
            </label>
            <label className="flex flex-col">
              Test bars
              <input className={`${field} w-24`} value={testBars} onChange={(event) => setTestBars(event.target.value)} inputMode="numeric" />
            </label>
          </>
        )}
        <label className="flex flex-col">
          Holdout fraction
          <input className={`${field} w-24`} value={holdout} onChange={(event) => setHoldout(event.target.value)} inputMode="decimal" />
        </label>
        <button type="submit" className={button} disabled={busy || seriesIds.length === 0}>
          Queue sweep
        </button>
      </fieldset>
      {message && (
        <p role="status" className="text-sm md:col-span-2">
          {message}
        </p>
      )}
    </form>
  );
}

function CsvImport() {
  const router = useRouter();
  const [file, setFile] = useState<File | null>(null);
  const [symbol, setSymbol] = useState("");
  const [barSize, setBarSize] = useState("1 day");
  const [timeZone, setTimeZone] = useState("America/New_York");
  const [message, setMessage] = useState<string | null>(null);
  const upload = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!file) return;
    const query = new URLSearchParams({ symbol: symbol || file.name.replace(/\.[^.]+$/, ""), barSize, timeZone, fileName: file.name });
    const response = await fetch(`/api/research/series?${query}`, { method: "POST", headers: { "content-type": "text/csv" }, body: await file.text() }).catch(() => null);
    const body = (await response?.json().catch(() => null)) as { barCount?: number; symbol?: string; error?: { message?: string } } | null;
    if (response?.ok) {
      setMessage(`Stored ${body?.barCount} bars of ${body?.symbol}.`);
      router.refresh();
    } else setMessage(body?.error?.message ?? "The upload failed.");
  };
  return (
    <form onSubmit={upload} className="flex flex-wrap items-end gap-3 text-sm" aria-label="Import bars">
      <label className="flex flex-col">
        OHLCV CSV
        <input type="file" accept=".csv,text/csv" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
      </label>
      <label className="flex flex-col">
        Symbol
        <input className={`${field} w-24`} value={symbol} onChange={(event) => setSymbol(event.target.value)} placeholder="from file" />
      </label>
      <label className="flex flex-col">
        Bar size
        <input className={`${field} w-24`} value={barSize} onChange={(event) => setBarSize(event.target.value)} />
      </label>
      <label className="flex flex-col">
        Time zone
        <input className={`${field} w-44`} value={timeZone} onChange={(event) => setTimeZone(event.target.value)} />
      </label>
      <button type="submit" className={button} disabled={!file}>
        Import bars
      </button>
      {message && <span role="status">{message}</span>}
    </form>
  );
}

function SweepList({ sweeps, selected, onSelect }: { sweeps: SweepProgress[]; selected: number | null; onSelect: (id: number) => void }) {
  if (sweeps.length === 0) return <p className="text-sm text-slate-500">No sweeps yet.</p>;
  return (
    <table className="w-full text-left text-sm" aria-label="Sweeps">
      <TableHead columns={["Sweep", "Strategy", "Status", "Jobs", "ETA"]} />
      <tbody>
        {sweeps.map((sweep) => (
          <tr key={sweep.id} className={sweep.id === selected ? "bg-sky-50 dark:bg-sky-950" : ""}>
            <td>
              <button type="button" className="underline" onClick={() => onSelect(sweep.id)}>
                #{sweep.id} {sweep.name}
              </button>
            </td>
            <td>{sweep.strategy}</td>
            <td>{sweep.status}</td>
            <td>
              <progress max={sweep.chunksTotal} value={sweep.chunksDone} aria-label={`sweep ${sweep.id} progress`} /> {sweep.chunksDone}/{sweep.chunksTotal}
            </td>
            <td>{sweep.etaSeconds === null ? "—" : `${sweep.etaSeconds} s`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SweepDetailView({ id }: { id: number }) {
  const [detail, setDetail] = useState<SweepDetail | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      const body = await getJson<SweepDetail>(`/api/research/sweeps/${id}`);
      if (stop) return;
      if (body) setDetail(body);
      if (!body || !finished(body.progress.status)) timer = setTimeout(load, POLL_MS);
    };
    void load();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [id]);
  if (!detail) return <p className="text-sm">Loading sweep {id}…</p>;
  const { progress } = detail;
  const cancel = async () => {
    const outcome = await postJson<SweepProgress>(`/api/research/sweeps/${id}/cancel`, {});
    setMessage(outcome.ok ? "Cancelled: no further jobs will start." : outcome.message);
    if (outcome.ok) setDetail({ ...detail, progress: outcome.body });
  };
  const parameterNames = Object.keys(detail.request?.space ?? {});
  return (
    <section className="flex flex-col gap-4" aria-label={`Sweep ${id}`}>
      <header className="flex flex-wrap items-center gap-3">
        <h2 className="text-lg font-semibold">
          #{progress.id} {progress.name}
        </h2>
        <span>
          {progress.status}: {progress.chunksDone}/{progress.chunksTotal} jobs, {progress.runsDone}/{progress.runsTotal} runs
          {progress.etaSeconds !== null && `, about ${progress.etaSeconds} s left`}
        </span>
        {!finished(progress.status) && (
          <button type="button" className={button} onClick={cancel}>
            Cancel sweep
          </button>
        )}
        {message && <span role="status">{message}</span>}
        {progress.error && <span role="alert">{progress.error}</span>}
      </header>
      {detail.summary?.map((entry) => <SeriesVerdict key={entry.seriesId} summary={entry} />)}
      {progress.runsDone > 0 && <ResultsTable id={id} parameterNames={parameterNames} version={progress.runsDone} />}
      {progress.runsDone > 0 && parameterNames.length >= 2 && <Heatmap id={id} parameterNames={parameterNames} version={progress.runsDone} />}
      {progress.status === "done" && <TopEquity id={id} />}
    </section>
  );
}

function SeriesVerdict({ summary }: { summary: SeriesSummary }) {
  const { verdict, holdout } = summary;
  const windows = verdict.walkForward;
  const walkForwardOos = windows.length > 0 ? windows.reduce((sum, window) => sum + window.testSharpe, 0) / windows.length : null;
  const walkForwardIs = windows.length > 0 ? windows.reduce((sum, window) => sum + window.trainSharpe, 0) / windows.length : null;
  return (
    <div className="flex flex-col gap-2 rounded border border-slate-200 p-3 text-sm dark:border-slate-800">
      <h3 className="font-semibold">
        {summary.symbol}: chosen {verdict.chosen ? JSON.stringify(verdict.chosen.parameters) : "—"} of {verdict.trials} trials
      </h3>
      {verdict.plateau?.verdict === "isolated-peak" && (
        <p role="alert" className="rounded bg-amber-100 p-2 text-amber-900 dark:bg-amber-900 dark:text-amber-100">
          Isolated peak: one step away in any parameter keeps only {percent(verdict.plateau.retained)} of its lead over the typical run. This is likely noise; prefer a
          parameter set in the middle of a broad good region.
        </p>
      )}
      {verdict.plateau?.verdict === "plateau" && <p>Plateau: its neighbours keep {percent(verdict.plateau.retained)} of its lead.</p>}
      <table className="text-left" aria-label={`${summary.symbol} in-sample vs out-of-sample`}>
        <TableHead columns={["Figure", "In-sample", "Out-of-sample"]} />
        <tbody>
          <tr>
            <th scope="row">Chosen set, Sharpe (search span vs its walk-forward test windows)</th>
            <td>{fixed2(verdict.chosen?.sharpe)}</td>
            <td>{fixed2(summary.chosenOosSharpe)}</td>
          </tr>
          <tr>
            <th scope="row">Walk-forward, mean Sharpe (best on each training window, then its test window)</th>
            <td>{fixed2(walkForwardIs)}</td>
            <td>{fixed2(walkForwardOos)}</td>
          </tr>
          <tr>
            <th scope="row">Final holdout (never searched): Sharpe / return / max drawdown</th>
            <td>—</td>
            <td>
              {fixed2(holdout?.sharpe)} / {percent(holdout?.totalReturn)} / {percent(holdout?.maxDrawdown)}
            </td>
          </tr>
        </tbody>
      </table>
      <p>
        Deflated Sharpe: {verdict.deflatedSharpe ? `${percent(verdict.deflatedSharpe.probability)} probability that the true Sharpe beats the best of ${verdict.trials} lucky trials` : "—"}
        {" · "}
        Probability of backtest overfitting: {verdict.pbo ? `${percent(verdict.pbo.probability)} over ${verdict.pbo.splits} splits` : "—"}
      </p>
    </div>
  );
}

const COLUMNS = [
  { key: "paramIndex", label: "#" },
  { key: "sharpe", label: "Sharpe (IS)" },
  { key: "oosSharpe", label: "Sharpe (WF OOS)" },
  { key: "totalReturn", label: "Return" },
  { key: "maxDrawdown", label: "Max DD" },
  { key: "tradeCount", label: "Trades" },
] as const;

function ResultsTable({ id, parameterNames, version }: { id: number; parameterNames: string[]; version: number }) {
  const [sort, setSort] = useState<(typeof COLUMNS)[number]["key"]>("sharpe");
  const [direction, setDirection] = useState<"asc" | "desc">("desc");
  const [rows, setRows] = useState<ResultRow[]>([]);
  useEffect(() => {
    let stop = false;
    void getJson<{ runs: ResultRow[] }>(`/api/research/sweeps/${id}/results?sort=${sort}&direction=${direction}&limit=50`).then((body) => !stop && body && setRows(body.runs));
    return () => {
      stop = true;
    };
  }, [id, sort, direction, version]);
  const sortBy = (key: (typeof COLUMNS)[number]["key"]) => {
    if (key === sort) setDirection((current) => (current === "asc" ? "desc" : "asc"));
    else {
      setSort(key);
      setDirection("desc");
    }
  };
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" aria-label="Results">
        <thead>
          <tr>
            {COLUMNS.map((column) => (
              <th key={column.key} scope="col" aria-sort={column.key === sort ? (direction === "asc" ? "ascending" : "descending") : "none"}>
                <button type="button" className="underline" onClick={() => sortBy(column.key)}>
                  {column.label}
                  {column.key === sort ? (direction === "asc" ? " ▲" : " ▼") : ""}
                </button>
              </th>
            ))}
            {parameterNames.map((name) => (
              <th key={name} scope="col">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.runKey}>
              <td>{row.paramIndex}</td>
              <td>{fixed2(row.sharpe)}</td>
              <td>{fixed2(row.oosSharpe)}</td>
              <td>{percent(row.totalReturn)}</td>
              <td>{percent(row.maxDrawdown)}</td>
              <td>{row.tradeCount}</td>
              {parameterNames.map((name) => (
                <td key={name}>{String(row.parameters[name])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Heatmap({ id, parameterNames, version }: { id: number; parameterNames: string[]; version: number }) {
  const [x, setX] = useState(parameterNames[0]);
  const [y, setY] = useState(parameterNames[1]);
  const [cells, setCells] = useState<HeatmapCell[]>([]);
  useEffect(() => {
    let stop = false;
    void getJson<{ cells: HeatmapCell[] }>(`/api/research/sweeps/${id}/heatmap?x=${encodeURIComponent(x)}&y=${encodeURIComponent(y)}&metric=sharpe`).then(
      (body) => !stop && body && setCells(body.cells),
    );
    return () => {
      stop = true;
    };
  }, [id, x, y, version]);
  const grid = useMemo(() => {
    const order = (values: (number | string | boolean)[]) => [...new Set(values)].sort((a, b) => (typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b))));
    const xs = order(cells.map((cell) => cell.x));
    const ys = order(cells.map((cell) => cell.y));
    const values = cells.map((cell) => cell.value);
    const lookup = new Map(cells.map((cell) => [`${cell.x}|${cell.y}`, cell.value]));
    return { xs, ys, lookup, low: Math.min(...values), high: Math.max(...values) };
  }, [cells]);
  const shade = (value: number) => {
    const share = grid.high > grid.low ? (value - grid.low) / (grid.high - grid.low) : 0.5;
    return `hsl(${Math.round(share * 120)}, 70%, ${45 + Math.round((1 - Math.abs(share - 0.5) * 2) * 10)}%)`;
  };
  return (
    <div className="flex flex-col gap-2 text-sm">
      <h3 className="font-semibold">Heatmap: best in-sample Sharpe over two parameters</h3>
      <div className="flex gap-3">
        <label>
          x{" "}
          <select className={field} value={x} onChange={(event) => setX(event.target.value)}>
            {parameterNames.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <label>
          y{" "}
          <select className={field} value={y} onChange={(event) => setY(event.target.value)}>
            {parameterNames.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
      </div>
      <div className="overflow-x-auto">
        <table className="border-collapse text-xs" aria-label={`Sharpe heatmap over ${x} and ${y}`}>
          <thead>
            <tr>
              <th scope="col">
                {y} \ {x}
              </th>
              {grid.xs.map((value) => (
                <th key={String(value)} scope="col" className="px-1">
                  {String(value)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {grid.ys.map((row) => (
              <tr key={String(row)}>
                <th scope="row" className="px-1">
                  {String(row)}
                </th>
                {grid.xs.map((column) => {
                  const value = grid.lookup.get(`${column}|${row}`);
                  return (
                    <td key={String(column)} className="h-6 min-w-8 px-1 text-center text-black" style={value === undefined ? undefined : { background: shade(value) }} title={value === undefined ? "not run" : value.toFixed(3)}>
                      {value === undefined ? "" : value.toFixed(1)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

const CURVE_COLORS = ["#0369a1", "#15803d", "#b45309", "#7e22ce", "#be123c"];

/** Curves of the best runs, which the sweep's summary step stores once every run is in. */
function TopEquity({ id }: { id: number }) {
  const [curves, setCurves] = useState<{ paramIndex: number; parameters: Record<string, unknown>; sharpe: number; equity: [number, number][] }[]>([]);
  useEffect(() => {
    let stop = false;
    void getJson<{ curves: typeof curves }>(`/api/research/sweeps/${id}/equity?count=5`).then((body) => !stop && body && setCurves(body.curves));
    return () => {
      stop = true;
    };
  }, [id]);
  const points = curves.flatMap((curve) => curve.equity);
  if (points.length < 2) return null;
  const [width, height, pad] = [720, 240, 40];
  const times = points.map(([time]) => time);
  const values = points.map(([, value]) => value);
  const [t0, t1, v0, v1] = [Math.min(...times), Math.max(...times), Math.min(...values), Math.max(...values)];
  const px = (time: number) => pad + ((time - t0) / Math.max(1, t1 - t0)) * (width - 2 * pad);
  const py = (value: number) => height - pad - ((value - v0) / Math.max(1e-9, v1 - v0)) * (height - 2 * pad);
  return (
    <figure className="flex flex-col gap-2 text-sm">
      <h3 className="font-semibold">Equity of the best {curves.length} runs (search span)</h3>
      <svg role="img" aria-label="Equity curves of the best runs" viewBox={`0 0 ${width} ${height}`} className="w-full max-w-3xl">
        {curves.map((curve, index) => (
          <path
            key={curve.paramIndex}
            d={curve.equity.map(([time, value], at) => `${at === 0 ? "M" : "L"}${px(time).toFixed(1)},${py(value).toFixed(1)}`).join("")}
            fill="none"
            stroke={CURVE_COLORS[index % CURVE_COLORS.length]}
            strokeWidth={1.5}
          />
        ))}
        <text x={pad} y={height - 10} className="fill-current text-[10px]">
          {new Date(t0).toISOString().slice(0, 10)}
        </text>
        <text x={width - pad} y={height - 10} textAnchor="end" className="fill-current text-[10px]">
          {new Date(t1).toISOString().slice(0, 10)}
        </text>
      </svg>
      <ul className="flex flex-wrap gap-4">
        {curves.map((curve, index) => (
          <li key={curve.paramIndex} style={{ color: CURVE_COLORS[index % CURVE_COLORS.length] }}>
            #{curve.paramIndex} {JSON.stringify(curve.parameters)} Sharpe {fixed2(curve.sharpe)}
          </li>
        ))}
      </ul>
    </figure>
  );
}
