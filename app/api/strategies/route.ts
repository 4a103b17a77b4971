import { jsonResponse, withAuth } from "@/lib/auth";
import { directoryOf } from "./directory";

export const dynamic = "force-dynamic";

export const GET = withAuth("read", async (_request, _principal, { services }) => jsonResponse({ strategies: directoryOf(services).list() }));
