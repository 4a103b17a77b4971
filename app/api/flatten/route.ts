import { z } from "zod";
import { getAppContext } from "@/lib/runtime/context";
import { remoteAddress } from "@/lib/runtime/request-meta";

export const dynamic = "force-dynamic";

const flattenRequest = z.object({ confirm: z.literal(true, "set confirm to true to flatten every position") }).strict();

export async function POST(request: Request): Promise<Response> {
  const body = await readJson(request);
  const parsed = flattenRequest.safeParse(body);
  if (!parsed.success) {
    const message = parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ");
    return Response.json({ error: { code: "invalid_request", message } }, { status: 400 });
  }
  const { engine } = getAppContext().services;
  if (engine.health().state !== "connected") {
    return Response.json(
      { error: { code: "broker_unavailable", message: "The broker is not connected, so nothing can be flattened yet." } },
      { status: 503 },
    );
  }
  const result = await engine.flattenAll({ actor: "local", source: "web", ip: remoteAddress(request) });
  getAppContext().services.realtime.publishFlatten(result);
  return Response.json(result, { status: result.status === "flat" ? 200 : 207 });
}

async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    return undefined;
  }
}
