-- AlterTable
ALTER TABLE "research_sweeps" ADD COLUMN     "chunks_done" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "runs_done" INTEGER NOT NULL DEFAULT 0;

-- Sweeps written before the counters existed: count what their chunks already hold.
UPDATE "research_sweeps" AS sweep
SET "chunks_done" = done.chunks, "runs_done" = done.runs
FROM (SELECT "sweep_id", count(*)::int AS chunks, sum("runs")::int AS runs FROM "research_chunks" GROUP BY "sweep_id") AS done
WHERE done."sweep_id" = sweep."id";
