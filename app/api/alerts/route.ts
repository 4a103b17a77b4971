import { z } from "zod";
import { jsonResponse, withAuth } from "@/lib/auth";
import { ALERT_PAGE_MAX } from "@/lib/services/alert-history";

export const dynamic = "force-dynamic";

/** Query string of GET /api/alerts: ?limit=50&before=<nextBefore of the previous page>. */
const alertPageQuery = z.strictObject({
  before: z.coerce.number("must be a number").int("must be a whole number").positive("is an alert id from an earlier answer").max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number("must be a number").int("must be a whole number").min(1, "is at least 1").max(ALERT_PAGE_MAX, `is at most ${ALERT_PAGE_MAX}`).default(50),
});

/** The alert history, newest first, a page at a time. */
export const GET = withAuth("read", async (request, _principal, { services }) => {
  const query = alertPageQuery.parse(Object.fromEntries(new URL(request.url).searchParams));
  return jsonResponse(await services.alertHistory.page(query));
});
