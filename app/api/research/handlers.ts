import { z } from "zod";
import { HttpError, type RouteContext } from "@/lib/auth";
import { SweepRequestError } from "@/lib/services/research/spec";
import type { ResearchService } from "@/lib/services/research/service";

/** The research service, or a 503 when this server was started without it. */
export function researchOf(ctx: RouteContext): ResearchService {
  const research = (ctx.services as { research?: ResearchService }).research;
  if (!research) throw new HttpError(503, "unavailable", "Research is not running on this server.");
  return research;
}

export function sweepIdOf(ctx: RouteContext): number {
  const parsed = z.coerce.number().int().positive().safeParse(ctx.params.id);
  if (!parsed.success) throw new HttpError(400, "invalid_request", `sweep id must be a positive whole number, got "${ctx.params.id}"`);
  return parsed.data;
}

/** A bad sweep request is the caller's mistake: a 400 that names the field. */
export async function asBadRequest<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SweepRequestError) throw new HttpError(400, "invalid_request", error.message);
    throw error;
  }
}

