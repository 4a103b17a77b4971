import { z } from "zod";
import { jsonResponse, readBody, withAuth } from "@/lib/auth";
import { directoryOf, strategyCall } from "../../directory";
import { actorOf } from "@/app/api/request";

export const dynamic = "force-dynamic";

const parametersRequest = z.object({ parameters: z.record(z.string(), z.unknown(), "parameters must be an object") }).strict();

/** New parameters for one instance; the strategy's schema decides, and a refusal names each bad field. */
export const PUT = withAuth("trade", async (request, principal, { services, meta, params }) => {
  const { parameters } = await readBody(request, parametersRequest);
  const directory = directoryOf(services);
  return jsonResponse(await strategyCall(params.id, () => directory.updateParameters(actorOf(principal, meta), params.id, parameters)));
});
