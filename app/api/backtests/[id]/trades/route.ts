import { withAuth } from "@/lib/auth";
import { backtestRuns, csvDownload, runOr404 } from "../../runs";

export const dynamic = "force-dynamic";

export const GET = withAuth("read", async (_request, _principal, { params }) => csvDownload(runOr404(await backtestRuns().tradesCsv(params.id), params.id), `backtest-${params.id}-trades.csv`));
