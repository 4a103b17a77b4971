import { jsonResponse, withAuth } from "@/lib/auth";
import { backtestRuns, readUpload, runListQuery } from "./runs";
import { queryOf } from "@/app/api/request";

export const dynamic = "force-dynamic";

/** Runs newest first, a page at a time: ?limit=20&before=<nextBefore of the previous page>. */
export const GET = withAuth("read", async (request) => jsonResponse(await backtestRuns().list(runListQuery.parse(queryOf(request)))));

/** Starts a run; poll GET /api/backtests/{id} for progress and the result. */
export const POST = withAuth("trade", async (request, principal) => jsonResponse(await backtestRuns().start(await readUpload(request), principal.username), { status: 202 }));
