import { jsonResponse, withAuth } from "@/lib/auth";
import { resultQuerySchema } from "@/lib/services/research/service";
import { researchOf, sweepIdOf } from "../../../handlers";
import { queryOf } from "@/app/api/request";

export const dynamic = "force-dynamic";

/** One page of runs, sorted by ?sort=sharpe|totalReturn|maxDrawdown|tradeCount|oosSharpe|paramIndex&direction=asc|desc. */
export const GET = withAuth("read", async (request, _principal, ctx) => {
  const query = resultQuerySchema.parse(queryOf(request));
  return jsonResponse({ runs: await researchOf(ctx).results(sweepIdOf(ctx), query) });
});
