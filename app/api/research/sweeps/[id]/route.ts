import { HttpError, jsonResponse, withAuth } from "@/lib/auth";
import { researchOf, sweepIdOf } from "../../handlers";

export const dynamic = "force-dynamic";

/** Progress (jobs done / total, ETA), the request, and once done the overfitting summary. */
export const GET = withAuth("read", async (_request, _principal, ctx) => {
  const research = researchOf(ctx);
  const id = sweepIdOf(ctx);
  const progress = await research.progress(id);
  if (!progress) throw new HttpError(404, "not_found", `sweep ${id} does not exist`);
  const spec = await research.spec(id);
  const request = spec && { strategy: spec.strategy, space: spec.space, fixed: spec.fixed, search: spec.search, seriesIds: spec.seriesIds, validation: spec.validation, settings: spec.settings };
  return jsonResponse({ progress, request, summary: await research.summary(id) });
});
