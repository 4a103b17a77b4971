import { z } from "zod";
import { jsonResponse, withAuth } from "@/lib/auth";
import { RESULT_COLUMNS } from "@/lib/services/research/service";
import { researchOf, sweepIdOf } from "../../../handlers";
import { queryOf } from "@/app/api/request";

export const dynamic = "force-dynamic";

const querySchema = z.object({
  x: z.string().min(1, "x must name a parameter"),
  y: z.string().min(1, "y must name a parameter"),
  metric: z.enum(RESULT_COLUMNS).default("sharpe"),
});

/** The best value of a metric at each (x, y) pair of two parameters, over all other parameters. */
export const GET = withAuth("read", async (request, _principal, ctx) => {
  const { x, y, metric } = querySchema.parse(queryOf(request));
  return jsonResponse({ x, y, metric, cells: await researchOf(ctx).heatmap(sweepIdOf(ctx), x, y, metric) });
});
