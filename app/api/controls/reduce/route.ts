import { z } from "zod";
import { jsonResponse, readBody, withAuth } from "@/lib/auth";
import { actorOf } from "@/app/api/request";

export const dynamic = "force-dynamic";

const reduceRequest = z.object({ reason: z.string().trim().min(1, "give a reason for reduce-only").max(500, "reason must be at most 500 characters") }).strict();

/** REDUCING: only orders that shrink a position until someone resumes. */
export const POST = withAuth("trade", async (request, principal, { services, meta }) => {
  const { reason } = await readBody(request, reduceRequest);
  return jsonResponse(await services.controls.reduceOnly(actorOf(principal, meta), reason));
});
