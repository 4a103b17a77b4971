import { HttpError, jsonResponse, withAuth } from "@/lib/auth";
import { backtestRuns, compareQuery } from "../runs";
import { queryOf } from "@/app/api/request";

export const dynamic = "force-dynamic";

/** Two runs' figures side by side: ?ids=<id>,<id>. */
export const GET = withAuth("read", async (request) => {
  const { ids } = compareQuery.parse(queryOf(request));
  const runs = await backtestRuns().compare(ids);
  if (!runs) throw new HttpError(404, "not_found", `One of the backtest runs ${ids.join(", ")} does not exist.`);
  return jsonResponse({ runs });
});
