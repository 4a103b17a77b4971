-- Run figures are stored as float8 arrays instead of JSON: a sweep's chunk reaches Postgres as
-- one binary float8[] parameter, so no figure is printed as text and parsed again (JSON numbers
-- become numerics in jsonb, which cost Postgres more than the rest of the row). The metrics are
-- kept in a fixed order (STORED_METRICS in lib/adapters/db/research-runs.ts), windows and
-- blocks one after another. Figures JSON kept as null (not finite) become NaN, which reads back
-- as null the same way.
ALTER TABLE "research_runs"
  ADD COLUMN "metrics_figures" DOUBLE PRECISION[],
  ADD COLUMN "walk_forward_figures" DOUBLE PRECISION[],
  ADD COLUMN "blocks_figures" DOUBLE PRECISION[];

UPDATE "research_runs"
SET "metrics_figures" = ARRAY(
      SELECT COALESCE(("metrics" ->> "name")::float8, 'NaN')
      FROM unnest(ARRAY['finalCapital', 'cagr', 'sortino', 'maxDrawdownDuration', 'maxDrawdownDurationBars', 'profitPerTrade', 'winRate', 'profitFactor', 'exposure', 'dailyReturns'])
           WITH ORDINALITY AS stored("name", "position")
      ORDER BY "position"),
    "walk_forward_figures" = ARRAY(
      SELECT COALESCE("figure"::float8, 'NaN')
      FROM jsonb_array_elements("walk_forward") WITH ORDINALITY AS windows("window", "window_position"),
           jsonb_array_elements_text("window") WITH ORDINALITY AS figures("figure", "figure_position")
      ORDER BY "window_position", "figure_position"),
    "blocks_figures" = ARRAY(
      SELECT COALESCE("figure"::float8, 'NaN')
      FROM jsonb_array_elements("blocks") WITH ORDINALITY AS blocks("block", "block_position"),
           jsonb_array_elements_text("block") WITH ORDINALITY AS figures("figure", "figure_position")
      ORDER BY "block_position", "figure_position");

ALTER TABLE "research_runs"
  DROP COLUMN "metrics",
  DROP COLUMN "walk_forward",
  DROP COLUMN "blocks";

ALTER TABLE "research_runs" RENAME COLUMN "metrics_figures" TO "metrics";
ALTER TABLE "research_runs" RENAME COLUMN "walk_forward_figures" TO "walk_forward";
ALTER TABLE "research_runs" RENAME COLUMN "blocks_figures" TO "blocks";
