import { ZodError, type z } from "zod";
import { getAppContext, type AppContext } from "@/lib/runtime/context";
import { remoteAddress } from "@/lib/runtime/request-meta";
import { readCookie } from "./cookies";
import type { RequestMeta } from "./deps";
import { badRequest, forbidden, HttpError, unauthenticated } from "./errors";
import { assertSameOrigin, isCrossOrigin, isUnsafeMethod } from "./origin";
import { can, permissionDeniedMessage, type Permission, type Principal } from "./principal";
import { createAuthService, type AuthService } from "./service";
import { SESSION_COOKIE } from "./sessions";

const fallbackServices = new WeakMap<AppContext, AuthService>();

/**
 * The running AuthService: the one server.ts put in `services.auth` (whose session-revoked events
 * reach the realtime layer), or else one made once per app context.
 */
export function authService(context: AppContext = getAppContext()): AuthService {
  const published = (context.services as { auth?: AuthService }).auth;
  if (published) return published;
  let service = fallbackServices.get(context);
  if (!service) {
    service = createAuthService({ prisma: context.prisma, log: context.log.child({ component: "auth" }), secureCookies: false });
    fallbackServices.set(context, service);
  }
  return service;
}

export function requestMeta(request: Request): RequestMeta {
  return { ip: remoteAddress(request), userAgent: request.headers.get("user-agent") };
}

/** An API token in `Authorization: Bearer`, else the session cookie; null when neither is present. */
async function identify(request: Request, auth: AuthService): Promise<Principal | null> {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw unauthenticated('The Authorization header must be "Bearer kst_...".');
    const principal = await auth.tokens.authenticate(match[1]);
    if (!principal) throw unauthenticated("This API token is unknown or revoked; create a new one under Settings > Security.");
    return principal;
  }
  const token = readCookie(request.headers.get("cookie"), SESSION_COOKIE);
  if (!token) return null;
  const principal = await auth.sessions.authenticate(token);
  if (!principal) throw unauthenticated("Your session has ended (signed out, expired or password changed); sign in again.");
  return principal;
}

/** Same-origin check for state-changing requests that a browser could send with its cookie. */
export function assertSameOriginRequest(request: Request): void {
  if (!isUnsafeMethod(request.method) || request.headers.has("authorization")) return;
  const { headers } = request;
  assertSameOrigin({ origin: headers.get("origin"), referer: headers.get("referer"), host: headers.get("host") });
}

/** Who is calling, checked against a permission; throws HttpError 401/403 with a message to act on. */
export async function authorize(request: Request, permission: Permission): Promise<Principal> {
  assertSameOriginRequest(request);
  const principal = await identify(request, authService());
  if (!principal) throw unauthenticated();
  if (!can(principal, permission)) throw forbidden(permissionDeniedMessage(principal, permission));
  return principal;
}

/** Account settings (password, two-factor) are changed by a signed-in person, never by a script. */
export function assertSession(principal: Principal): void {
  if (principal.via !== "session") throw forbidden("Sign in to change account settings; API tokens cannot.");
}

export async function authenticateSocketHandshake(headers: {
  cookie?: string;
  origin?: string;
  host?: string;
}): Promise<Principal | null> {
  if (isCrossOrigin(headers)) return null;
  const token = readCookie(headers.cookie, SESSION_COOKIE);
  if (!token) return null;
  return authService().sessions.authenticate(token);
}

export interface RouteContext extends AppContext {
  auth: AuthService;
  meta: RequestMeta;
  params: Record<string, string>;
}

type NextRouteContext = { params: Promise<Record<string, string | string[] | undefined>> };
type RouteHandler = (request: Request, context: NextRouteContext) => Promise<Response>;

/** A route handler behind a permission, with errors turned into `{ error: { code, message } }`. */
export function withAuth(
  permission: Permission,
  handler: (request: Request, principal: Principal, ctx: RouteContext) => Promise<Response>,
): RouteHandler {
  return publicRoute(async (request, ctx) => handler(request, await authorize(request, permission), ctx));
}

/** A route anyone may call (sign-in, invites, setup): same-origin check and error handling only. */
export function publicRoute(handler: (request: Request, ctx: RouteContext) => Promise<Response>): RouteHandler {
  return async (request, nextContext) => {
    let app: AppContext | null = null;
    try {
      app = getAppContext();
      assertSameOriginRequest(request);
      const params = stringParams(await nextContext?.params);
      return await handler(request, { ...app, auth: authService(app), meta: requestMeta(request), params });
    } catch (error) {
      return errorResponse(error, app);
    }
  };
}

export function errorJson(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { code, message } }, { status, headers: { "Cache-Control": "no-store", ...headers } });
}

export function errorResponse(error: unknown, app: AppContext | null): Response {
  if (error instanceof HttpError) return errorJson(error.status, error.code, error.message, error.headers);
  if (error instanceof ZodError) return errorJson(400, "invalid_request", describeZodError(error));
  app?.log.error({ err: error }, "request failed");
  return errorJson(500, "internal", "Something went wrong on the server; the details are in Kestrel's log.");
}

export function describeZodError(error: ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

export const MAX_BODY_BYTES = 16 * 1024;

/** Parses a JSON (or form-encoded) body against a schema; anything wrong is a 400 naming the field. */
export async function readBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, "too_large", `The request body is over ${MAX_BODY_BYTES} bytes.`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new HttpError(413, "too_large", `The request body is over ${MAX_BODY_BYTES} bytes.`);
  return schema.parse(parseBodyText(text, request.headers.get("content-type") ?? ""));
}

function parseBodyText(text: string, contentType: string): unknown {
  if (contentType.startsWith("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(text));
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("The request body is not valid JSON.");
  }
}

function stringParams(params: Record<string, string | string[] | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params ?? {})) if (typeof value === "string") out[key] = value;
  return out;
}

export const noStore = { "Cache-Control": "no-store" } as const;

/** JSON that no cache keeps: every auth answer is about one person at one moment. */
export function jsonResponse(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return Response.json(body, { status: init.status ?? 200, headers: { ...noStore, ...init.headers } });
}
