import { withAuth } from "@/lib/auth";
import { reportsService } from "../../service";

export const dynamic = "force-dynamic";

export const GET = withAuth("read", async (_request, _principal, { params }) => {
  const service = reportsService();
  const day = service.parseDay(params.date ?? "");
  return new Response(await service.csv(day), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="kestrel-fills-${day}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});
