import { z } from "zod";
import { HttpError, jsonResponse, readBody, withAuth } from "@/lib/auth";
import { actorOf } from "@/app/api/request";

export const dynamic = "force-dynamic";

const cancelAllRequest = z.object({ confirm: z.literal(true, "set confirm to true to cancel every working order") }).strict();

/** reqGlobalCancel: every working order of the account, whoever placed it. */
export const POST = withAuth("trade", async (request, principal, { services, meta }) => {
  await readBody(request, cancelAllRequest);
  if (services.engine.health().state !== "connected") {
    throw new HttpError(503, "broker_unavailable", "The broker is not connected, so no order can be cancelled yet.");
  }
  return jsonResponse(await services.controls.cancelAllOrders(actorOf(principal, meta)));
});
