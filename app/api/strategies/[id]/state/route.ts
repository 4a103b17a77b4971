import { z } from "zod";
import { jsonResponse, readBody, withAuth } from "@/lib/auth";
import { directoryOf, strategyCall } from "../../directory";
import { actorOf } from "@/app/api/request";

export const dynamic = "force-dynamic";

const stateRequest = z.object({ state: z.enum(["running", "paused"], "state must be running or paused") }).strict();

/** Start (running) or pause one strategy instance. */
export const POST = withAuth("trade", async (request, principal, { services, meta, params }) => {
  const { state } = await readBody(request, stateRequest);
  const directory = directoryOf(services);
  return jsonResponse(await strategyCall(params.id, () => directory.setState(actorOf(principal, meta), params.id, state)));
});
