import type { Principal, RequestMeta } from "@/lib/auth";
import type { Actor } from "@/lib/services/controls";

/** Who pressed the control: the user, from the dashboard (session) or the API (token), and from where. */
export function actorOf(principal: Principal, meta: RequestMeta): Actor {
  return { user: principal.username, source: principal.via === "token" ? "api" : "web", ip: meta.ip };
}
