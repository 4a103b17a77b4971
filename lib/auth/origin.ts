import { forbidden } from "./errors";

export const isUnsafeMethod = (method: string) => !["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase());

function originOf(origin: string | null | undefined, referer: string | null | undefined): string | null {
  if (origin && origin !== "null") return origin;
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return null;
  }
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * Refuses a state-changing request whose Origin (or Referer) is not this server: the CSRF check
 * that backs up SameSite=Strict. A reverse proxy must pass the original Host header through.
 */
export function assertSameOrigin(headers: { origin?: string | null; referer?: string | null; host?: string | null }): void {
  const origin = originOf(headers.origin, headers.referer);
  if (!origin) {
    throw forbidden("Cross-site check failed: the request carries no Origin or Referer header. Send it from the Kestrel page, or use an API token.");
  }
  const host = headers.host?.toLowerCase();
  if (!host || hostOf(origin) !== host) {
    throw forbidden(`Cross-site request refused: it came from ${origin}, not from this Kestrel server (${host ?? "no Host header"}).`);
  }
}

/** For the socket.io handshake: a browser always sends Origin cross-site, so a mismatch is refused. */
export function isCrossOrigin(headers: { origin?: string | null; host?: string | null }): boolean {
  if (!headers.origin) return false;
  const host = headers.host?.toLowerCase();
  return !host || hostOf(headers.origin) !== host;
}
