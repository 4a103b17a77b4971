export { createAuthService, AuthService, type AuthServiceOptions, type LoginInput, type UserSummary } from "./service";
export { ensureOwner, assertSafeListenAddress, isLoopbackHost, DEFAULT_OWNER_USERNAME } from "./owner";
export {
  authorize,
  withAuth,
  publicRoute,
  authenticateSocketHandshake,
  authService,
  assertSession,
  readBody,
  jsonResponse,
  requestMeta,
  errorJson,
  errorResponse,
  type RouteContext,
} from "./http";
export { requirePageSession, currentPageSession, safeNextPath, PATH_HEADER } from "./pages";
export { can, ROLES, TOKEN_SCOPES, type Principal, type Permission, type Role, type TokenScope } from "./principal";
export { HttpError } from "./errors";
export { securityHeaders, contentSecurityPolicy, type SecurityHeaderOptions } from "./headers";
export { SESSION_COOKIE, SESSION_IDLE_MS, SESSION_ABSOLUTE_MS, type IssuedSession } from "./sessions";
export { sessionCookie, clearedSessionCookie } from "./cookies";
export type { RequestMeta } from "./deps";
