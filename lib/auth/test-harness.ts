/**
 * Test support for the auth integration tests: a migrated database of the test's own, a clock
 * the test moves, a logger whose every line is kept for inspection, and Request builders that
 * look like what a browser or a script sends through server.ts.
 */
import { Writable } from "node:stream";
import type { Logger } from "pino";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { freshDatabase } from "@/test/db";
import type { ScratchDatabase } from "@/lib/adapters/db/scratch-database";
import { clearAppContext, publishAppContext, type AppServices } from "@/lib/runtime/context";
import { parseEnv } from "@/lib/runtime/env";
import { createLogger } from "@/lib/runtime/logger";
import { REMOTE_ADDRESS_HEADER } from "@/lib/runtime/request-meta";
import { ensureOwner } from "./owner";
import { createAuthService, type AuthService } from "./service";
import { SESSION_COOKIE } from "./sessions";

export const SERVER_HOST = "127.0.0.1:3000";
export const SERVER_ORIGIN = `http://${SERVER_HOST}`;

export interface AuthHarness {
  prisma: PrismaClient;
  /** Writes into the captured log that logText() returns. */
  log: Logger;
  auth: AuthService;
  clock: { now: number; advance(ms: number): void };
  logText(): string;
  /** Publishes the app context route handlers read, with the auth service and the given services. */
  publishServices(services: Partial<AppServices>): void;
  /** Creates the owner with this password (first start) and signs in: the session token. */
  signInOwner(password: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startAuthHarness(startAt = Date.parse("2026-11-21T14:00:00Z")): Promise<AuthHarness> {
  const database: ScratchDatabase = await freshDatabase({ migrated: true });
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  const log = createLogger("trace", sink);
  const clock = {
    now: startAt,
    advance(ms: number) {
      clock.now += ms;
    },
  };
  const auth = createAuthService({ prisma, log, clock: () => clock.now, secureCookies: false });
  // Route handlers get only the services a test gives them; the engine and realtime feed stay absent.
  const publishServices = (services: Partial<AppServices>) =>
    publishAppContext({ env: parseEnv({ NODE_ENV: "test" }), log, prisma, services: { auth, ...services } as AppServices });
  publishServices({});
  return {
    prisma,
    log,
    auth,
    clock,
    logText: () => lines.join(""),
    publishServices,
    async signInOwner(password) {
      await ensureOwner({ auth, env: { KESTREL_ADMIN_PASSWORD: password }, log, publicBaseUrl: SERVER_ORIGIN });
      return (await auth.login({ username: "owner", password }, { ip: "127.0.0.1", userAgent: "vitest" })).token;
    },
    stop: async () => {
      clearAppContext();
      await prisma.$disconnect();
      await database.drop();
    },
  };
}

export interface RequestOptions {
  body?: unknown;
  /** Raw body text, sent as is (for malformed JSON). */
  rawBody?: string;
  session?: string;
  token?: string;
  /** Defaults to this server's origin; null sends no Origin header. */
  origin?: string | null;
  ip?: string;
  headers?: Record<string, string>;
}

/** A request as server.ts hands it to Next: Host, Origin and the trusted peer-address header. */
export function apiRequest(method: string, path: string, options: RequestOptions = {}): Request {
  const headers = new Headers({ host: SERVER_HOST, [REMOTE_ADDRESS_HEADER]: options.ip ?? "127.0.0.1", ...options.headers });
  if (options.origin !== null) headers.set("origin", options.origin ?? SERVER_ORIGIN);
  if (options.session) headers.set("cookie", `${SESSION_COOKIE}=${options.session}`);
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  return new Request(`${SERVER_ORIGIN}${path}`, { method, headers, body });
}

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

export function call(handler: Handler, request: Request, params: Record<string, string> = {}): Promise<Response> {
  return handler(request, { params: Promise.resolve(params) });
}

/** The session id a Set-Cookie header carries, or null when it clears the cookie. */
export function sessionFrom(response: Response): string | null {
  const header = response.headers.get("set-cookie") ?? "";
  const match = new RegExp(`${SESSION_COOKIE}=([^;]*)`).exec(header);
  return match && match[1] ? match[1] : null;
}
