-- A sweep writes thousands of run rows with several kilobytes of JSON each: lz4 compresses them
-- at a fraction of the CPU the default pglz costs. Servers built without lz4 keep pglz.
DO $$
BEGIN
  ALTER TABLE "research_runs"
    ALTER COLUMN "parameters" SET COMPRESSION lz4,
    ALTER COLUMN "metrics" SET COMPRESSION lz4,
    ALTER COLUMN "walk_forward" SET COMPRESSION lz4,
    ALTER COLUMN "blocks" SET COMPRESSION lz4,
    ALTER COLUMN "equity" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available on this server: research_runs keeps the default compression';
END
$$;
