import { z } from "zod";
import { HttpError, jsonResponse, withAuth } from "@/lib/auth";
import { importCsvBars, listSeries } from "@/lib/adapters/db/bar-store";
import { BarDataError } from "@/lib/core/data/errors";
import { queryOf } from "@/app/api/request";

export const dynamic = "force-dynamic";

const MAX_CSV_BYTES = 50 * 1024 * 1024;

const querySchema = z.object({
  symbol: z.string().trim().min(1, "symbol is required"),
  barSize: z.string().trim().min(1, 'barSize is required, e.g. "1 day"').default("1 day"),
  timeZone: z.string().min(1).default("UTC"),
  fileName: z.string().trim().min(1, "fileName is required").max(200),
});

/** Stored bar series. */
export const GET = withAuth("read", async (_request, _principal, { prisma }) => jsonResponse({ series: await listSeries(prisma) }));

/** Stores an OHLCV CSV (the request body) as a bar series; ?symbol=&barSize=&timeZone=&fileName=. */
export const POST = withAuth("trade", async (request, _principal, { prisma }) => {
  const query = querySchema.parse(queryOf(request));
  if (Number(request.headers.get("content-length") ?? 0) > MAX_CSV_BYTES) throw new HttpError(413, "too_large", "The CSV is over 50 MB.");
  const text = await request.text();
  try {
    return jsonResponse(await importCsvBars(prisma, { ...query, text }), { status: 201 });
  } catch (error) {
    if (error instanceof BarDataError) throw new HttpError(400, "invalid_request", error.message);
    throw error;
  }
});
