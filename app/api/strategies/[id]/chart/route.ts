import { z } from "zod";
import { HttpError, jsonResponse, withAuth } from "@/lib/auth";
import { directoryOf } from "../../directory";

export const dynamic = "force-dynamic";

const chartQuery = z.object({ symbol: z.string({ message: "symbol is required" }).trim().toUpperCase().regex(/^[A-Z0-9.]{1,12}$/, "symbol must be 1-12 letters, digits or dots") });

/** Recent bars of one symbol of a strategy instance, with indicator lines and the instance's fills. */
export const GET = withAuth("read", async (request, _principal, { services, params }) => {
  const parsed = chartQuery.safeParse({ symbol: new URL(request.url).searchParams.get("symbol") ?? undefined });
  if (!parsed.success) throw new HttpError(400, "invalid_query", parsed.error.issues.map((issue) => issue.message).join("; "));
  const chart = await directoryOf(services).chart(params.id, parsed.data.symbol);
  if (!chart) throw new HttpError(404, "not_found", `Strategy instance "${params.id}" has no chart for ${parsed.data.symbol}.`);
  return jsonResponse(chart);
});
