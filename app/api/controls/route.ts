import { jsonResponse, withAuth } from "@/lib/auth";

export const dynamic = "force-dynamic";

/** The trading mode and the risk picture in one read. */
export const GET = withAuth("read", async (_request, _principal, { services }) =>
  jsonResponse({
    status: services.controls.status(),
    limits: services.risk.limits(),
    guardian: services.risk.guardian(),
    flatByTime: services.risk.flatByTime(),
    recentDenials: await services.risk.recentDenials(20),
  }),
);
