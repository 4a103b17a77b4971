-- Runs no longer keep a sampled equity curve each: the summary step re-runs a sweep's best runs
-- and stores their curves once, here.
CREATE TABLE "research_top_equity" (
    "sweep_id" INTEGER NOT NULL,
    "rank" INTEGER NOT NULL,
    "param_index" INTEGER NOT NULL,
    "series_id" INTEGER NOT NULL,
    "equity" JSONB NOT NULL,

    CONSTRAINT "research_top_equity_pkey" PRIMARY KEY ("sweep_id","rank")
);

-- Sweeps stored before: their best 20 runs' own samples (the ranking the summary step uses:
-- in-sample Sharpe, finite only, ties by parameter index and series).
INSERT INTO "research_top_equity" ("sweep_id", "rank", "param_index", "series_id", "equity")
SELECT "sweep_id", "rank", "param_index", "series_id", "equity"
FROM (
  SELECT "sweep_id", "param_index", "series_id", "equity",
         (row_number() OVER (PARTITION BY "sweep_id" ORDER BY "sharpe" DESC, "param_index", "series_id") - 1)::int AS "rank"
  FROM "research_runs"
  WHERE "sharpe" NOT IN ('NaN', 'Infinity', '-Infinity')
) AS ranked
WHERE "rank" < 20;

ALTER TABLE "research_runs" DROP COLUMN "equity";

-- Stored runs of before keep their figures in the new, shorter form: walk-forward windows and
-- return blocks as arrays in a fixed order, and no copy in `metrics` of the figures that have
-- columns of their own.
UPDATE "research_runs"
SET "walk_forward" = COALESCE((
      SELECT jsonb_agg(jsonb_build_array("window"->'trainSharpe', "window"->'testSharpe', "window"->'testReturn') ORDER BY "position")
      FROM jsonb_array_elements("walk_forward") WITH ORDINALITY AS windows("window", "position")), '[]'::jsonb),
    "blocks" = COALESCE((
      SELECT jsonb_agg(jsonb_build_array("block"->'count', "block"->'sum', "block"->'sumSquares', "block"->'sumCubes', "block"->'sumFourths') ORDER BY "position")
      FROM jsonb_array_elements("blocks") WITH ORDINALITY AS blocks("block", "position")), '[]'::jsonb),
    "metrics" = "metrics" - 'sharpe' - 'totalReturn' - 'maxDrawdown' - 'tradeCount';
