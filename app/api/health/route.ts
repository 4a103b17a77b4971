import { getAppContext } from "@/lib/runtime/context";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const { prisma, services, env } = getAppContext();
  const database = await probeDatabase(() => prisma.$queryRaw`SELECT 1`);
  const broker = services.engine.health();
  const healthy = database.ok && broker.ready;
  return Response.json(
    {
      status: healthy ? "ok" : "degraded",
      mode: env.TRADING_MODE,
      database,
      broker,
      flattenInProgress: services.engine.flattenInProgress,
      time: new Date().toISOString(),
    },
    { status: healthy ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}

async function probeDatabase(query: () => Promise<unknown>): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
  const started = performance.now();
  try {
    await query();
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: "database unreachable" };
  }
}
