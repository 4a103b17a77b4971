import { loadBars } from "@/lib/adapters/db/bar-store";
import { HttpError } from "@/lib/auth";
import { getAppContext } from "@/lib/runtime/context";
import { BacktestRuns } from "@/lib/services/backtest-runs";

const RUNS_KEY = Symbol.for("kestrel.backtest-runs");
type Holder = { [RUNS_KEY]?: BacktestRuns };

/** One run registry per server process, shared by every route bundle. */
export function backtestRuns(): BacktestRuns {
  const holder = globalThis as Holder;
  holder[RUNS_KEY] ??= new BacktestRuns({ loadStoredBars: (seriesId) => loadBars(getAppContext().prisma, seriesId) });
  return holder[RUNS_KEY];
}

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
  if (value === null) throw new HttpError(404, "not_found", `No backtest run "${id}" (runs are kept in memory until the server restarts).`);
  return value;
}

export function csvDownload(text: string, filename: string): Response {
  return new Response(text, { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${filename}"`, "cache-control": "no-store" } });
}
