import { z } from "zod";
import { HttpError, jsonResponse, readBody, withAuth } from "@/lib/auth";
import { actorOf } from "@/app/api/request";

export const dynamic = "force-dynamic";

const flattenSymbolRequest = z
  .object({ symbol: z.string().trim().toUpperCase().regex(/^[A-Z0-9.]{1,12}$/, "symbol must be 1-12 letters, digits or dots") })
  .strict();

/** Cancels the symbol's orders and closes its position. */
export const POST = withAuth("trade", async (request, principal, { services, meta }) => {
  const { symbol } = await readBody(request, flattenSymbolRequest);
  if (services.engine.health().state !== "connected") {
    throw new HttpError(503, "broker_unavailable", "The broker is not connected, so nothing can be flattened yet.");
  }
  const result = await services.controls.flattenSymbol(actorOf(principal, meta), symbol);
  return jsonResponse(result, { status: result.status === "flat" ? 200 : 207 });
});
