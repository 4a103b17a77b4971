import type { PrismaClient } from "@/lib/generated/prisma/client";

/** Runs whose equity a finished sweep keeps for charts: as many as the equity API serves at most. */
export const TOP_EQUITY_RUNS = 20;

export interface RankedRun {
  readonly paramIndex: number;
  readonly seriesId: number;
}

/**
 * A sweep's best runs by in-sample Sharpe, as the dashboard ranks them: non-finite figures
 * (which Postgres would sort above every number) left out, ties by parameter index and series.
 */
export function bestRuns(prisma: PrismaClient, sweepId: number, count: number): Promise<RankedRun[]> {
  return prisma.$queryRaw<RankedRun[]>`
    SELECT param_index AS "paramIndex", series_id AS "seriesId" FROM research_runs
    WHERE sweep_id = ${sweepId} AND sharpe NOT IN ('NaN', 'Infinity', '-Infinity')
    ORDER BY sharpe DESC, param_index, series_id
    LIMIT ${count}`;
}
