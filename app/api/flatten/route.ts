import { z } from "zod";
import { HttpError, jsonResponse, readBody, withAuth } from "@/lib/auth";

export const dynamic = "force-dynamic";

const flattenRequest = z.object({ confirm: z.literal(true, "set confirm to true to flatten every position") }).strict();

export const POST = withAuth("trade", async (request, principal, { services, meta }) => {
  await readBody(request, flattenRequest);
  if (services.engine.health().state !== "connected") {
    throw new HttpError(503, "broker_unavailable", "The broker is not connected, so nothing can be flattened yet.");
  }
  const result = await services.engine.flattenAll({
    actor: principal.username,
    source: principal.via === "token" ? "api" : "web",
    ip: meta.ip,
  });
  services.realtime.publishFlatten(result);
  return jsonResponse(result, { status: result.status === "flat" ? 200 : 207 });
});
