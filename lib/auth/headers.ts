/** Set by proxy.ts on every request, so a server component knows where to come back to after sign-in. */
export const PATH_HEADER = "x-kestrel-path";

export interface SecurityHeaderOptions {
  /** The per-request nonce that lets Next's own inline scripts run; without it, scripts come only from this origin. */
  nonce?: string;
  /** React's development build needs eval for its debugging aids; production never does. */
  dev?: boolean;
  /** Served over HTTPS: ask browsers to stay on HTTPS. */
  https?: boolean;
}

export function contentSecurityPolicy(options: SecurityHeaderOptions = {}): string {
  const scripts = options.nonce ? `'self' 'nonce-${options.nonce}' 'strict-dynamic'` : "'self'";
  return [
    "default-src 'self'",
    `script-src ${scripts}${options.dev ? " 'unsafe-eval'" : ""}`,
    // Inline style attributes are harmless next to a script policy without 'unsafe-inline'.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** Headers for every response: no framing, no sniffing, no referrer leaks, no powerful features. */
export function securityHeaders(options: SecurityHeaderOptions = {}): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(options),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    // Not no-referrer: under that policy browsers send "Origin: null" on same-origin POSTs, which the CSRF check refuses.
    "Referrer-Policy": "strict-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    ...(options.https ? { "Strict-Transport-Security": "max-age=31536000" } : {}),
  };
}
