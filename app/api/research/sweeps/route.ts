import { z } from "zod";
import { jsonResponse, readBody, withAuth } from "@/lib/auth";
import type { SweepRequest } from "@/lib/services/research/spec";
import { asBadRequest, researchOf } from "../handlers";

export const dynamic = "force-dynamic";

/** Recent sweeps with their progress. */
export const GET = withAuth("read", async (_request, _principal, ctx) => jsonResponse({ sweeps: await researchOf(ctx).listSweeps() }));

/** Queues a sweep; workers (`npm run worker`) pick it up. Poll GET /api/research/sweeps/{id}. */
export const POST = withAuth("trade", async (request, _principal, ctx) => {
  // The service validates the request itself and names every bad field.
  const body = (await readBody(request, z.unknown())) as SweepRequest;
  const sweep = await asBadRequest(() => researchOf(ctx).createSweep(body));
  return jsonResponse(sweep, { status: 202 });
});
