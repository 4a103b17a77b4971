import { z } from "zod";
import { jsonResponse, withAuth } from "@/lib/auth";
import { queryOf, researchOf, sweepIdOf } from "../../../handlers";

export const dynamic = "force-dynamic";

const querySchema = z.object({ count: z.coerce.number().int().min(1).max(20, "count is at most 20").default(5) });

/** Sampled equity curves of the best runs by in-sample Sharpe. */
export const GET = withAuth("read", async (request, _principal, ctx) => {
  const { count } = querySchema.parse(queryOf(request));
  return jsonResponse({ curves: await researchOf(ctx).topEquity(sweepIdOf(ctx), count) });
});
