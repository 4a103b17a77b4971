import type { Metrics } from "@/lib/core/backtest/metrics";
import type { ParameterSet, PowerSums, RunColumns, RunEvaluation, RunOutcome, WindowResult } from "@/lib/core/research";
import { float8ArrayParameter, readFloat8Array } from "./float8-array";

/**
 * How a sweep's runs are stored in `research_runs`: the sortable figures in columns of their
 * own, the other metrics, the walk-forward windows and the return blocks as float8[] columns.
 * A compute thread writes a chunk's figures into one Float64Array; the chunk goes to Postgres
 * as one binary float8[] parameter that the insert slices per run, so no figure is turned into
 * text and parsed again on its way.
 */

/** Runs one SQL statement (a pg.Pool fits); a named one is prepared once per connection. */
export interface SqlClient {
  query<Row extends object>(query: { readonly name?: string; readonly text: string; readonly values: unknown[] }): Promise<{ rows: Row[] }>;
}

type ColumnMetric = keyof RunColumns;

/**
 * The metrics kept in `metrics`, in stored order: all but the ones with columns of their own.
 * A metric added later goes at the end, so rows stored before read as they were.
 */
export const STORED_METRICS = [
  "finalCapital",
  "cagr",
  "sortino",
  "maxDrawdownDuration",
  "maxDrawdownDurationBars",
  "profitPerTrade",
  "winRate",
  "profitFactor",
  "exposure",
  "dailyReturns",
] as const satisfies readonly Exclude<keyof Metrics, ColumnMetric>[];

type UnstoredMetric = Exclude<keyof Metrics, ColumnMetric | (typeof STORED_METRICS)[number]>;
/** Fails to compile while a metric is neither a column nor in STORED_METRICS. */
const everyMetricStored: [UnstoredMetric] extends [never] ? true : UnstoredMetric = true;
void everyMetricStored;

/** Per run: sharpe, totalReturn, maxDrawdown, tradeCount, oosSharpe, then the stored metrics. */
const LEADING_FIGURES = 5 + STORED_METRICS.length;
const WINDOW_FIGURES = 3;
const BLOCK_FIGURES = 5;

/** A chunk's figures, run after run, each `figuresPerRun(windowCount, blockCount)` long. */
export interface RunFigures {
  /** Its own memory, not shared, so a thread can hand it over. */
  readonly values: Float64Array<ArrayBuffer>;
  /** Walk-forward windows per run (every run of a chunk has the same plan). */
  readonly windowCount: number;
  readonly blockCount: number;
}

export const figuresPerRun = (windowCount: number, blockCount: number) => LEADING_FIGURES + WINDOW_FIGURES * windowCount + BLOCK_FIGURES * blockCount;

export function createRunFigures(runCount: number, windowCount: number, blockCount: number): RunFigures {
  return { values: new Float64Array(runCount * figuresPerRun(windowCount, blockCount)), windowCount, blockCount };
}

/** Writes a run's figures at its place; a missing oosSharpe (no windows) is written as NaN and stored as NULL. */
export function putRunFigures(figures: RunFigures, run: number, evaluation: RunEvaluation): void {
  const { values, windowCount, blockCount } = figures;
  if (evaluation.windows.length !== windowCount || evaluation.blocks.length !== blockCount) {
    throw new Error(`run ${run} has ${evaluation.windows.length} windows and ${evaluation.blocks.length} blocks, its chunk ${windowCount} and ${blockCount}`);
  }
  const { metrics } = evaluation;
  let at = run * figuresPerRun(windowCount, blockCount);
  values[at++] = metrics.sharpe;
  values[at++] = metrics.totalReturn;
  values[at++] = metrics.maxDrawdown;
  values[at++] = metrics.tradeCount;
  values[at++] = evaluation.oosSharpe ?? Number.NaN;
  for (const name of STORED_METRICS) values[at++] = metrics[name];
  for (const window of evaluation.windows) {
    values[at++] = window.trainSharpe;
    values[at++] = window.testSharpe;
    values[at++] = window.testReturn;
  }
  for (const block of evaluation.blocks) {
    values[at++] = block.count;
    values[at++] = block.sum;
    values[at++] = block.sumSquares;
    values[at++] = block.sumCubes;
    values[at++] = block.sumFourths;
  }
}

export interface ChunkWrite {
  readonly sweepId: number;
  readonly chunk: number;
  readonly seriesId: number;
  readonly dataHash: string;
  readonly codeVersion: string;
  readonly worker: string;
  /** Parameter index of the chunk's first run; the others follow in order. */
  readonly firstParamIndex: number;
  readonly runKeys: readonly string[];
  readonly parameters: readonly unknown[];
  readonly figures: RunFigures;
}

/** The sweep's counters after a chunk is written. */
export interface ChunkCounters {
  readonly chunksDone: number;
  readonly totalChunks: number;
}

/**
 * Writes a chunk's runs, its chunk row and the sweep's counters in one statement. Returns the
 * counters, or nothing for a chunk an earlier attempt already wrote (its runs collide on their
 * run keys and are skipped, and the counters are raised only by a chunk row that is new).
 */
export async function writeChunk(sql: SqlClient, write: ChunkWrite): Promise<ChunkCounters | undefined> {
  const { figures } = write;
  const values = [
    write.sweepId,
    write.seriesId,
    write.dataHash,
    write.codeVersion,
    write.chunk,
    write.runKeys.length,
    write.worker,
    write.firstParamIndex,
    write.runKeys,
    JSON.stringify(write.parameters),
    float8ArrayParameter(figures.values),
    figuresPerRun(figures.windowCount, figures.blockCount),
    figures.windowCount,
  ];
  // Prepared once per connection: planned afresh for every chunk, the figures would be copied into each plan.
  const { rows } = await sql.query<{ chunks_done: number; total_chunks: number }>({ name: "research-write-chunk", text: WRITE_CHUNK_SQL, values });
  const [written] = rows;
  return written && { chunksDone: written.chunks_done, totalChunks: written.total_chunks };
}

/**
 * A sweep's status as one of its chunks starts, marking a queued sweep running (with its start
 * time) on the way; undefined for a sweep that does not exist. One prepared statement, as every
 * chunk asks.
 */
export async function startChunk(sql: SqlClient, sweepId: number): Promise<string | undefined> {
  const { rows } = await sql.query<{ status: string }>({ name: "research-start-chunk", text: START_CHUNK_SQL, values: [sweepId] });
  return rows[0]?.status;
}

// The second SELECT sees the row as it was before the UPDATE (one snapshot), hence NOT EXISTS.
const START_CHUNK_SQL = `
  WITH started AS (
    UPDATE research_sweeps SET status = 'running', started_at = now() WHERE id = $1::int AND status = 'queued' RETURNING status
  )
  SELECT status FROM started
  UNION ALL
  SELECT status FROM research_sweeps WHERE id = $1::int AND NOT EXISTS (SELECT FROM started)`;

/** A sweep's stored spec (JSON), or undefined for a sweep that does not exist. */
export async function readSweepSpec(sql: SqlClient, sweepId: number): Promise<unknown> {
  const { rows } = await sql.query<{ spec: unknown }>({ name: "research-read-spec", text: "SELECT spec FROM research_sweeps WHERE id = $1::int", values: [sweepId] });
  return rows[0]?.spec;
}

/** A run's metrics are figures [6, LEADING_FIGURES] of its slice (1-based, as SQL counts), its windows and blocks follow. */
const METRICS_FROM = 6;
const METRICS_TO = LEADING_FIGURES;

/** $11 holds every run's figures; a run's slice starts after `run.at` and is $12 long; $13 is the windows per run. */
const WRITE_CHUNK_SQL = `
  WITH runs AS (
    INSERT INTO research_runs (sweep_id, run_key, param_index, parameters, series_id, sharpe, total_return, max_drawdown, trade_count, oos_sharpe,
                               metrics, walk_forward, blocks, data_hash, code_version)
    SELECT $1::int, entry.key, $8::int + entry.position::int - 1, entry.parameters, $2::int,
           figures.value[run.at + 1], figures.value[run.at + 2], figures.value[run.at + 3], figures.value[run.at + 4]::int,
           CASE WHEN $13::int > 0 THEN figures.value[run.at + 5] END,
           figures.value[run.at + ${METRICS_FROM} : run.at + ${METRICS_TO}],
           figures.value[run.at + ${METRICS_TO} + 1 : run.at + ${METRICS_TO} + ${WINDOW_FIGURES} * $13::int],
           figures.value[run.at + ${METRICS_TO} + ${WINDOW_FIGURES} * $13::int + 1 : run.at + $12::int],
           $3::text, $4::text
    FROM (SELECT $11::float8[] AS value) AS figures,
         ROWS FROM (unnest($9::text[]), jsonb_array_elements($10::jsonb)) WITH ORDINALITY AS entry(key, parameters, position),
         LATERAL (SELECT (entry.position::int - 1) * $12::int AS at) AS run
    ON CONFLICT (run_key) DO NOTHING
  ), chunk AS (
    INSERT INTO research_chunks (sweep_id, chunk, runs, worker) VALUES ($1::int, $5::int, $6::int, $7::text)
    ON CONFLICT DO NOTHING
    RETURNING runs
  )
  UPDATE research_sweeps AS sweep SET chunks_done = sweep.chunks_done + 1, runs_done = sweep.runs_done + chunk.runs
  FROM chunk WHERE sweep.id = $1::int
  RETURNING sweep.chunks_done, sweep.total_chunks`;

const finiteOrNull = (value: number | null) => (value !== null && Number.isFinite(value) ? value : null);

/** A stored run's metrics: the stored ones with the column figures put back; non-finite figures as null. */
export function decodeStoredMetrics(stored: readonly (number | null)[], columns: RunColumns): Record<string, number | null> {
  const metrics: Record<string, number | null> = {};
  STORED_METRICS.forEach((name, index) => {
    if (index < stored.length) metrics[name] = finiteOrNull(stored[index]);
  });
  return {
    ...metrics,
    sharpe: finiteOrNull(columns.sharpe),
    totalReturn: finiteOrNull(columns.totalReturn),
    maxDrawdown: finiteOrNull(columns.maxDrawdown),
    tradeCount: columns.tradeCount,
  };
}

/** Stored walk-forward windows as objects; a non-finite figure reads back as null. */
export function decodeStoredWindows(stored: ArrayLike<number | null>): WindowResult[] {
  return Array.from({ length: Math.floor(stored.length / WINDOW_FIGURES) }, (_, index) => {
    const at = index * WINDOW_FIGURES;
    return { index, trainSharpe: finiteOrNull(stored[at]), testSharpe: finiteOrNull(stored[at + 1]), testReturn: finiteOrNull(stored[at + 2]) } as WindowResult;
  });
}

/** Stored return blocks as power sums; a non-finite sum reads back as null. */
export function decodeStoredBlocks(stored: ArrayLike<number | null>): PowerSums[] {
  return Array.from({ length: Math.floor(stored.length / BLOCK_FIGURES) }, (_, index) => {
    const at = index * BLOCK_FIGURES;
    return {
      count: stored[at],
      sum: finiteOrNull(stored[at + 1]),
      sumSquares: finiteOrNull(stored[at + 2]),
      sumCubes: finiteOrNull(stored[at + 3]),
      sumFourths: finiteOrNull(stored[at + 4]),
    } as PowerSums;
  });
}

/** A stored run as the summary step reads it. */
export interface StoredOutcome extends RunOutcome {
  readonly oosSharpe: number | null;
}

/**
 * A sweep's runs of one series in parameter order, for its summary. The arrays come in their
 * binary form (as bytea): the pg driver would parse float8[] text element by element, several
 * times slower for a sweep's blocks.
 */
export async function readOutcomes(sql: SqlClient, sweepId: number, seriesId: number): Promise<StoredOutcome[]> {
  const { rows } = await sql.query<{ param_index: number; parameters: ParameterSet; sharpe: number; oos_sharpe: number | null; blocks: Buffer; walk_forward: Buffer }>({
    name: "research-read-outcomes",
    text: `SELECT param_index, parameters, sharpe, oos_sharpe, array_send(blocks) AS blocks, array_send(walk_forward) AS walk_forward
           FROM research_runs WHERE sweep_id = $1::int AND series_id = $2::int ORDER BY param_index`,
    values: [sweepId, seriesId],
  });
  return rows.map((row) => ({
    paramIndex: row.param_index,
    parameters: row.parameters,
    sharpe: row.sharpe,
    oosSharpe: row.oos_sharpe,
    blocks: decodeStoredBlocks(readFloat8Array(row.blocks)),
    windows: decodeStoredWindows(readFloat8Array(row.walk_forward)),
  }));
}

