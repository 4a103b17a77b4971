import { HttpError, jsonResponse, withAuth } from "@/lib/auth";
import { researchOf, sweepIdOf } from "../../../handlers";

export const dynamic = "force-dynamic";

/** Cancels the sweep's remaining jobs; a chunk already running finishes and is kept. */
export const POST = withAuth("trade", async (_request, _principal, ctx) => {
  const id = sweepIdOf(ctx);
  const progress = await researchOf(ctx).cancel(id);
  if (!progress) throw new HttpError(404, "not_found", `sweep ${id} does not exist`);
  return jsonResponse(progress);
});
