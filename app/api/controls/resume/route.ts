import { z } from "zod";
import { jsonResponse, readBody, withAuth } from "@/lib/auth";
import { actorOf } from "@/app/api/request";

export const dynamic = "force-dynamic";

const resumeRequest = z.object({ confirm: z.literal(true, "set confirm to true to resume trading") }).strict();

/** Back to ACTIVE: the only way out of REDUCING or HALTED. */
export const POST = withAuth("trade", async (request, principal, { services, meta }) => {
  await readBody(request, resumeRequest);
  return jsonResponse(await services.controls.resume(actorOf(principal, meta)));
});
