import type { Principal, RequestMeta } from "@/lib/auth";
import type { Actor } from "@/lib/services/controls";

/** Who pressed the control: the user, from the dashboard (session) or the API (token), and from where. */
export function actorOf(principal: Principal, meta: RequestMeta): Actor {
  return { user: principal.username, source: principal.via === "token" ? "api" : "web", ip: meta.ip };
}

/** The query string's parameters, for a route's zod schema to check. */
export function queryOf(request: Request): Record<string, string> {
  return Object.fromEntries(new URL(request.url).searchParams);
}
