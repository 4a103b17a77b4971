import { z } from "zod";
import { HttpError } from "@/lib/auth";
import { getAppContext } from "@/lib/runtime/context";
import { RUN_PAGE_MAX, type BacktestRuns } from "@/lib/services/backtest-runs";

/** The process's run service, made and recovered by server.ts. */
export function backtestRuns(): BacktestRuns {
  return getAppContext().services.backtests;
}

const runId = z.string().regex(/^[a-z0-9]{1,16}-[0-9a-f]{8}$/, "is a run id from an earlier answer");

/** Query string of GET /api/backtests. */
export const runListQuery = z.strictObject({
  before: runId.optional(),
  limit: z.coerce.number("must be a number").int("must be a whole number").min(1, "is at least 1").max(RUN_PAGE_MAX, `is at most ${RUN_PAGE_MAX}`).default(20),
});

/** Query string of GET /api/backtests/compare: two run ids, comma-separated. */
export const compareQuery = z.strictObject({
  ids: z
    .string("name two runs: ids=<id>,<id>")
    .transform((value) => value.split(","))
    .pipe(z.array(runId).length(2, "names exactly two runs")),
});

/** The CSV upload is larger than ordinary JSON bodies. */
export const MAX_UPLOAD_BYTES = 12 * 1024 * 1024;

export async function readUpload(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_UPLOAD_BYTES) throw new HttpError(413, "too_large", `The upload is over ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_UPLOAD_BYTES) throw new HttpError(413, "too_large", `The upload is over ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_request", "The request body is not valid JSON.");
  }
}

export function runOr404<T>(value: T | null, id: string): T {
  if (value === null) throw new HttpError(404, "not_found", `No backtest run "${id}".`);
  return value;
}

export function csvDownload(text: string, filename: string): Response {
  return new Response(text, { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${filename}"`, "cache-control": "no-store" } });
}
