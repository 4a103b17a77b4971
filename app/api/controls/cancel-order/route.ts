import { z } from "zod";
import { HttpError, jsonResponse, readBody, withAuth } from "@/lib/auth";
import { actorOf } from "@/app/api/request";

export const dynamic = "force-dynamic";

const cancelOrderRequest = z.object({ orderId: z.number({ message: "orderId must be a number" }).int("orderId must be a whole number").positive("orderId must be positive") }).strict();

/** Cancels one working order; 409 with the reason when it stays (another client's order, no longer working). */
export const POST = withAuth("trade", async (request, principal, { services, meta }) => {
  const { orderId } = await readBody(request, cancelOrderRequest);
  if (services.engine.health().state !== "connected") {
    throw new HttpError(503, "broker_unavailable", "The broker is not connected, so no order can be cancelled now.");
  }
  const result = await services.controls.cancelOrder(actorOf(principal, meta), orderId);
  if (!result.cancelled) throw new HttpError(409, "order_not_cancelled", result.message);
  return jsonResponse(result);
});
