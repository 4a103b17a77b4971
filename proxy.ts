import { NextResponse, type NextRequest } from "next/server";
import { PATH_HEADER, securityHeaders } from "@/lib/auth/headers";

/**
 * Every response gets Kestrel's security headers. Pages get a fresh CSP nonce per request:
 * Next reads it from the request's Content-Security-Policy header and stamps it on its own
 * scripts, so no inline script without it can run.
 */
export function proxy(request: NextRequest): NextResponse {
  const nonce = newNonce();
  const https = request.nextUrl.protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";
  const headers = securityHeaders({ nonce, https, dev: process.env.NODE_ENV === "development" });

  const forwarded = new Headers(request.headers);
  forwarded.set("Content-Security-Policy", headers["Content-Security-Policy"]);
  forwarded.set("x-nonce", nonce);
  forwarded.set(PATH_HEADER, request.nextUrl.pathname + request.nextUrl.search);

  const response = NextResponse.next({ request: { headers: forwarded } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

export const config = {
  matcher: ["/((?!_next/static|_next/image).*)"],
};
