import { z } from "zod";
import { HttpError, jsonResponse, readBody, withAuth } from "@/lib/auth";
import { recordAudit } from "@/lib/services/audit";
import { modelStore } from "../store";

export const dynamic = "force-dynamic";

const rollbackRequest = z.object({ model: z.string().min(1, "model is required") }).strict();

/** Makes the previous accepted version of a policy current again. */
export const POST = withAuth("trade", async (request, principal, { prisma, meta }) => {
  const { model } = await readBody(request, rollbackRequest);
  const store = modelStore();
  if (!store.list().some((stored) => stored.name === model)) throw new HttpError(404, "unknown_model", `There is no RL model named "${model}".`);
  const from = store.manifest(model).current;
  let to: number;
  try {
    to = store.rollback(model);
  } catch (error) {
    throw new HttpError(409, "no_earlier_version", error instanceof Error ? error.message : String(error));
  }
  await recordAudit(prisma, { actor: principal.username, source: principal.via === "token" ? "api" : "web", action: "rl_rollback", ip: meta.ip, result: "ok", details: { model, from, to } });
  return jsonResponse({ model, from, to });
});
