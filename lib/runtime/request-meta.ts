/**
 * server.ts overwrites this header on every request with the socket's peer address, so
 * route handlers can trust it (a client-sent value never survives).
 */
export const REMOTE_ADDRESS_HEADER = "x-kestrel-remote-address";

export function remoteAddress(request: Request): string | null {
  return request.headers.get(REMOTE_ADDRESS_HEADER) || null;
}

export function isLoopbackAddress(address: string | null): boolean {
  if (!address) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}
