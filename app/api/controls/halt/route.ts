import { z } from "zod";
import { jsonResponse, readBody, withAuth } from "@/lib/auth";
import { actorOf } from "@/app/api/request";

export const dynamic = "force-dynamic";

const haltRequest = z.object({ reason: z.string().trim().max(500, "reason must be at most 500 characters").optional() }).strict();

/** HALTED: nothing but cancels and flatten until someone resumes. */
export const POST = withAuth("trade", async (request, principal, { services, meta }) => {
  const { reason } = await readBody(request, haltRequest);
  return jsonResponse(await services.controls.haltEntries(actorOf(principal, meta), reason));
});
