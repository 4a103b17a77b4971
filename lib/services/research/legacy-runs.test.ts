import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { freshDatabase } from "@/test/db";
import { applyMigrations } from "@/lib/adapters/db/migrate";
import { STORED_METRICS, decodeStoredBlocks } from "@/lib/adapters/db/research-runs";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { JobQueue } from "@/lib/adapters/jobs/queue";
import { seriesFromBars } from "@/lib/core/data/bars";
import {
  buildRunSettings,
  evaluateParameterSet,
  finiteFields,
  gridSearch,
  searchSpanEquity,
  seededUniform,
  validationPlan,
  type ParameterSet,
} from "@/lib/core/research";
import { createResearchService, type ResearchService } from "./service";
import { TOP_EQUITY_RUNS } from "./top-equity";

/*
 * Runs stored before the top-equity migration kept an equity sample each and their figures as
 * JSON objects. That migration keeps the best runs' samples in research_top_equity and rewrites
 * the rest as JSON arrays; the next turns those into float8 arrays. The service then reads those
 * sweeps as it reads new ones.
 */

const MIGRATIONS = path.resolve("prisma/migrations");
const TOP_EQUITY_MIGRATION = "20261121223539_research_top_equity";
const quiet = { info: () => undefined, warn: () => undefined };

let database: ScratchDatabase;
let migrations: string;
let prisma: PrismaClient;
let queue: JobQueue;
let research: ResearchService;

function market(length: number) {
  const random = seededUniform(4);
  let price = 100;
  return seriesFromBars(
    Array.from({ length }, (_, index) => {
      const open = price;
      price = Math.max(5, price * (1 + (random() - 0.49) * 0.03));
      return { time: Date.UTC(2015, 0, 1) + index * 86_400_000, open, high: Math.max(open, price) * 1.002, low: Math.min(open, price) * 0.998, close: price, volume: 1000 };
    }),
  );
}

const bars = market(1200);
const settings = buildRunSettings({ fractional: true }, { symbol: "SYN", timeZone: "America/New_York" });
const plan = validationPlan(bars.length, { mode: "rolling", trainBars: 300, testBars: 150, holdoutFraction: 0.2 });
const parameterSets: ParameterSet[] = gridSearch({ fast: { from: 2, to: 14, step: 3 }, slow: { from: 20, to: 60, step: 8 } }, () => true);
const evaluations = parameterSets.map((parameters) => evaluateParameterSet(bars, "ma-cross", parameters, settings, plan));
/** Run 3 has a Sharpe Postgres sorts above every number; the migration must not rank it. */
const NAN_RUN = 3;
const sharpeOf = (paramIndex: number) => (paramIndex === NAN_RUN ? Number.NaN : evaluations[paramIndex].metrics.sharpe);

/** A run row as the code before the migration wrote it. */
function legacyRow(sweepId: number, paramIndex: number): unknown[] {
  const evaluation = evaluations[paramIndex];
  const metrics = finiteFields({ ...evaluation.metrics, sharpe: sharpeOf(paramIndex) });
  return [
    sweepId,
    `sweep ${sweepId} / params ${paramIndex} / series 1`,
    paramIndex,
    JSON.stringify(parameterSets[paramIndex]),
    String(sharpeOf(paramIndex)),
    evaluation.metrics.totalReturn,
    evaluation.metrics.maxDrawdown,
    evaluation.metrics.tradeCount,
    evaluation.oosSharpe,
    JSON.stringify(metrics),
    JSON.stringify(evaluation.windows),
    JSON.stringify(evaluation.blocks),
    JSON.stringify(searchSpanEquity(bars, "ma-cross", parameterSets[paramIndex], settings, plan)),
  ];
}

async function storeLegacySweep(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO research_sweeps (name, strategy, status, spec, total_runs, total_chunks, code_version) VALUES ('legacy', 'ma-cross', 'done', '{}', $1, 1, 'old') RETURNING id`,
      [parameterSets.length],
    );
    const sweepId = rows[0].id;
    for (const paramIndex of parameterSets.keys()) {
      await client.query(
        `INSERT INTO research_runs (sweep_id, run_key, param_index, parameters, series_id, sharpe, total_return, max_drawdown, trade_count, oos_sharpe,
                                    metrics, walk_forward, blocks, equity, data_hash, code_version)
         VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'hash', 'old')`,
        legacyRow(sweepId, paramIndex),
      );
    }
    return sweepId;
  } finally {
    await client.end();
  }
}

let sweepId: number;

beforeAll(async () => {
  database = await freshDatabase();
  migrations = await mkdtemp(path.join(tmpdir(), "kestrel-migrations-"));
  for (const entry of await readdir(MIGRATIONS)) {
    if (entry <= TOP_EQUITY_MIGRATION || entry === "migration_lock.toml") await cp(path.join(MIGRATIONS, entry), path.join(migrations, entry), { recursive: true });
  }
  await rm(path.join(migrations, TOP_EQUITY_MIGRATION), { recursive: true });
  await applyMigrations({ databaseUrl: database.url, migrationsDir: migrations, log: quiet });
  sweepId = await storeLegacySweep(database.url);
  for (const entry of await readdir(MIGRATIONS)) {
    if (entry >= TOP_EQUITY_MIGRATION && entry !== "migration_lock.toml") await cp(path.join(MIGRATIONS, entry), path.join(migrations, entry), { recursive: true });
  }
  await applyMigrations({ databaseUrl: database.url, migrationsDir: migrations, log: quiet });
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  queue = await JobQueue.start({ connectionString: database.url });
  research = createResearchService({ prisma, queue, log: quiet, codeVersion: "test-version" });
});

afterAll(async () => {
  await queue?.stop({ timeoutMs: 1_000 });
  await prisma?.$disconnect();
  await database?.drop();
  if (migrations) await rm(migrations, { recursive: true, force: true });
});

describe("runs stored before the top-equity migration", () => {
  it("keep the equity of their best runs by finite in-sample Sharpe", async () => {
    const best = [...parameterSets.keys()]
      .filter((paramIndex) => Number.isFinite(sharpeOf(paramIndex)))
      .sort((a, b) => sharpeOf(b) - sharpeOf(a) || a - b)
      .slice(0, TOP_EQUITY_RUNS);
    expect(parameterSets.length).toBeGreaterThan(TOP_EQUITY_RUNS);
    const curves = await research.topEquity(sweepId, TOP_EQUITY_RUNS);
    expect(curves.map((curve) => curve.paramIndex)).toEqual(best);
    for (const curve of curves) {
      expect(curve.parameters).toEqual(parameterSets[curve.paramIndex]);
      expect(curve.sharpe).toBe(sharpeOf(curve.paramIndex));
      expect(curve.equity).toEqual(searchSpanEquity(bars, "ma-cross", parameterSets[curve.paramIndex], settings, plan));
    }
  });

  it("read back with the same figures in the new form", async () => {
    const rows = await research.results(sweepId, { sort: "paramIndex", direction: "asc", limit: 1_000 });
    expect(rows.map((row) => row.paramIndex)).toEqual([...parameterSets.keys()]);
    for (const row of rows) {
      const evaluation = evaluations[row.paramIndex];
      expect(row.metrics).toEqual(finiteFields({ ...evaluation.metrics, sharpe: sharpeOf(row.paramIndex) }));
      expect(row.walkForward).toEqual(evaluation.windows.map(finiteFields));
      expect(row.walkForward.length).toBeGreaterThan(1);
    }
    const stored = await prisma.researchRun.findMany({ where: { sweepId }, orderBy: { paramIndex: "asc" }, select: { blocks: true, metrics: true } });
    expect(stored.map((row) => decodeStoredBlocks(row.blocks))).toEqual(evaluations.map((evaluation) => evaluation.blocks.map(finiteFields)));
    // Stored as new runs are: no copy of the column figures in the metrics.
    expect(stored[0].metrics).toHaveLength(STORED_METRICS.length);
  });
});
