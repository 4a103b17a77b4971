import { z } from "zod";
import { jsonResponse, withAuth } from "@/lib/auth";
import { TOP_EQUITY_RUNS } from "@/lib/services/research/top-equity";
import { researchOf, sweepIdOf } from "../../../handlers";
import { queryOf } from "@/app/api/request";

export const dynamic = "force-dynamic";

const querySchema = z.object({ count: z.coerce.number().int().min(1).max(TOP_EQUITY_RUNS, `count is at most ${TOP_EQUITY_RUNS} (the runs whose curves a sweep keeps)`).default(5) });

/** Sampled equity curves of the best runs by in-sample Sharpe. */
export const GET = withAuth("read", async (request, _principal, ctx) => {
  const { count } = querySchema.parse(queryOf(request));
  return jsonResponse({ curves: await researchOf(ctx).topEquity(sweepIdOf(ctx), count) });
});
