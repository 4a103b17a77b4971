import { jsonResponse, readBody, withAuth } from "@/lib/auth";
import { flatByScheduleSchema } from "@/lib/core/risk";
import { actorOf } from "@/app/api/request";

export const dynamic = "force-dynamic";

/** The account's "be flat by" schedule and its next trigger. */
export const GET = withAuth("read", async (_request, _principal, { services }) => jsonResponse(services.risk.flatByTime()));

/** Saves the schedule ({ enabled, localTime "15:55", timeZone, exchange "XNYS" | "XNSE" }); audited. */
export const PUT = withAuth("trade", async (request, principal, { services, meta }) => {
  const schedule = await readBody(request, flatByScheduleSchema.strict());
  return jsonResponse(await services.risk.updateFlatByTime(schedule, actorOf(principal, meta)));
});
