import { withAuth } from "@/lib/auth";
import { reportsService } from "../../service";

export const dynamic = "force-dynamic";

export const GET = withAuth("read", async (_request, _principal, { params }) => {
  const service = reportsService();
  const day = service.parseDay(params.date ?? "");
  const body = await service.xlsx(day);
  return new Response(new Uint8Array(body), {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": `attachment; filename="kestrel-report-${day}.xlsx"`,
      "Cache-Control": "no-store",
    },
  });
});
