import { jsonResponse, withAuth } from "@/lib/auth";

export const dynamic = "force-dynamic";

/** Stored bar series a backtest can run on. */
export const GET = withAuth("read", async (_request, _principal, { prisma }) => {
  const series = await prisma.barSeries.findMany({
    select: { id: true, symbol: true, barSize: true, source: true, barCount: true },
    orderBy: { id: "asc" },
    take: 200,
  });
  return jsonResponse({ series });
});
