import { jsonResponse, withAuth } from "@/lib/auth";
import { backtestRuns, runOr404 } from "../runs";

export const dynamic = "force-dynamic";

export const GET = withAuth("read", async (_request, _principal, { params }) => jsonResponse(runOr404(await backtestRuns().get(params.id), params.id)));
