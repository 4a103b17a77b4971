import { jsonResponse, withAuth } from "@/lib/auth";
import { optionalServices } from "@/app/components/app-services";
import type { OverviewStatus } from "@/app/components/overview-status";

export const dynamic = "force-dynamic";

/** Trading state, flat-by schedule, guardian tier and gateway health for the overview; absent services are null. */
export const GET = withAuth("read", async (_request, _principal, { services }) => {
  const { controls, risk } = optionalServices(services);
  const status: OverviewStatus = {
    trading: controls ? controls.status() : null,
    flatBy: risk ? risk.flatByTime() : null,
    guardian: risk ? risk.guardian() : null,
    health: services.engine.health() as unknown as OverviewStatus["health"],
  };
  return jsonResponse(status);
});
