import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { can, type Permission, type Principal } from "./principal";
import { PATH_HEADER } from "./headers";
import { authService } from "./http";
import { SESSION_COOKIE } from "./sessions";

export { PATH_HEADER };

/** A same-site path to return to after sign-in; anything else (//evil, https://...) becomes "/". */
export function safeNextPath(value: string | null | undefined): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  return value.length > 512 ? "/" : value;
}

/**
 * For server components: the signed-in principal, or a redirect to /login?next=<this page>.
 * A principal without the permission is sent to the overview with a note.
 */
export async function requirePageSession(permission: Permission = "read"): Promise<Principal> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const principal = token ? await authService().sessions.authenticate(token) : null;
  if (!principal) {
    const next = safeNextPath((await headers()).get(PATH_HEADER));
    redirect(next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`);
  }
  if (!can(principal, permission)) redirect(`/?denied=${permission}`);
  return principal;
}

/** For pages that render differently when signed in (login, setup): the principal or null, no redirect. */
export async function currentPageSession(): Promise<Principal | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  return token ? authService().sessions.authenticate(token) : null;
}
