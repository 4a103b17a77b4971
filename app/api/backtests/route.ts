import { jsonResponse, withAuth } from "@/lib/auth";
import { backtestRuns, readUpload } from "./runs";

export const dynamic = "force-dynamic";

export const GET = withAuth("read", async () => jsonResponse({ runs: backtestRuns().list() }));

/** Starts a run; poll GET /api/backtests/{id} for progress and the result. */
export const POST = withAuth("trade", async (request) => jsonResponse(backtestRuns().start(await readUpload(request)), { status: 202 }));
