/**
 * The auth, token, user and audit routes called as Next calls them: a Request in, a Response out,
 * against a real database. Sessions come from real sign-ins through the login route.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as login from "@/app/api/auth/login/route";
import * as logout from "@/app/api/auth/logout/route";
import * as session from "@/app/api/auth/session/route";
import * as password from "@/app/api/auth/password/route";
import * as setup from "@/app/api/auth/setup/route";
import * as invite from "@/app/api/auth/invite/route";
import * as totp from "@/app/api/auth/totp/route";
import * as totpConfirm from "@/app/api/auth/totp/confirm/route";
import * as recoveryCodes from "@/app/api/auth/totp/recovery-codes/route";
import * as tokens from "@/app/api/tokens/route";
import * as tokenById from "@/app/api/tokens/[id]/route";
import * as users from "@/app/api/users/route";
import * as userById from "@/app/api/users/[id]/route";
import * as invites from "@/app/api/users/invites/route";
import * as audit from "@/app/api/audit/route";
import { ensureOwner } from "./owner";
import { apiRequest, call, sessionFrom, startAuthHarness, type AuthHarness, type RequestOptions } from "./test-harness";
import { authenticateSocketHandshake, authorize } from "./http";
import { SESSION_COOKIE } from "./sessions";
import { securityHeaders } from "./headers";

type Handler = Parameters<typeof call>[0];

const OWNER_PASSWORD = "owner password for routes";
const VIEWER_PASSWORD = "viewer password for routes";
const SOME_UUID = "00000000-0000-4000-8000-000000000000";

let h: AuthHarness;
let ownerSession: string;
let viewerSession: string;
const secretsSeen: string[] = [OWNER_PASSWORD, VIEWER_PASSWORD];

async function send(handler: Handler, method: string, path: string, options: RequestOptions = {}, params: Record<string, string> = {}) {
  const response = await call(handler, apiRequest(method, path, options), params);
  const text = await response.text();
  let body: { error?: { code: string; message: string } } & Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = { text };
  }
  return { status: response.status, body, headers: response.headers, session: sessionFrom(response) };
}

async function signIn(username: string, secret: string, ip = "127.0.0.1"): Promise<string> {
  const response = await send(login.POST, "POST", "/api/auth/login", { body: { username, password: secret }, ip });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  secretsSeen.push(response.session!);
  return response.session!;
}

beforeAll(async () => {
  h = await startAuthHarness();
});

afterAll(async () => {
  const log = h.logText();
  for (const secret of secretsSeen) expect(log).not.toContain(secret);
  await h.stop();
});

describe("first start without a password: the setup link", () => {
  it("creates the owner only from this machine, once", async () => {
    const { ownerExists, setupUrl } = await ensureOwner({ auth: h.auth, env: {}, log: h.log, publicBaseUrl: "http://127.0.0.1:3000/" });
    expect(ownerExists).toBe(false);
    const token = new URL(setupUrl!).searchParams.get("token")!;
    expect(setupUrl).toBe(`http://127.0.0.1:3000/setup?token=${token}`);
    // The link is printed in the log: that is its one and only appearance.
    expect(h.logText()).toContain(token);

    const body = { token, username: "owner", password: OWNER_PASSWORD };
    const remote = await send(setup.POST, "POST", "/api/auth/setup", { body, ip: "192.168.1.50" });
    expect(remote.status).toBe(403);
    expect(remote.body.error?.message).toMatch(/machine Kestrel runs on/);

    const weak = await send(setup.POST, "POST", "/api/auth/setup", { body: { ...body, password: "short" } });
    expect(weak.status).toBe(400);
    expect(weak.body.error?.message).toMatch(/^password: needs at least 12 characters/);

    const created = await send(setup.POST, "POST", "/api/auth/setup", { body });
    expect(created.status).toBe(201);
    expect(created.session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    secretsSeen.push(created.session!);

    const again = await send(setup.POST, "POST", "/api/auth/setup", { body: { ...body, username: "second" } });
    expect(again.status).toBe(410);
    expect((await ensureOwner({ auth: h.auth, env: {}, log: h.log, publicBaseUrl: "http://x" })).ownerExists).toBe(true);
  });
});

describe("sign-in over HTTP", () => {
  it("sets an httpOnly, SameSite=Strict session cookie and rotates it on every sign-in", async () => {
    const response = await call(login.POST, apiRequest("POST", "/api/auth/login", { body: { username: "Owner", password: OWNER_PASSWORD } }));
    expect(response.status).toBe(200);
    const cookie = response.headers.get("set-cookie")!;
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=604800$`));
    const first = sessionFrom(response)!;
    secretsSeen.push(first);

    // Signing in again with the old cookie yields a new id and ends the old one.
    const second = await send(login.POST, "POST", "/api/auth/login", { body: { username: "owner", password: OWNER_PASSWORD }, session: first });
    expect(second.session).not.toBe(first);
    secretsSeen.push(second.session!);
    expect((await send(session.GET, "GET", "/api/auth/session", { session: first })).status).toBe(401);
    const me = await send(session.GET, "GET", "/api/auth/session", { session: second.session! });
    expect(me.body).toMatchObject({ user: { username: "owner", role: "owner" }, via: "session", permissions: { read: true, trade: true, admin: true } });
    ownerSession = second.session!;
  });

  it("answers a wrong password with 401 and a lock-out with 429 and when to retry", async () => {
    for (let i = 0; i < 5; i++) {
      const wrong = await send(login.POST, "POST", "/api/auth/login", { body: { username: "owner", password: "not it at all" }, ip: "10.20.0.1" });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error).toEqual({ code: "bad_credentials", message: "Wrong username or password." });
    }
    const locked = await send(login.POST, "POST", "/api/auth/login", { body: { username: "someone", password: OWNER_PASSWORD }, ip: "10.20.0.1" });
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toBe("900");
    expect(locked.body.error?.message).toMatch(/Try again after \d\d:\d\d UTC/);
    // The account itself was not the target of five failures from one place only... it was: it is locked too.
    const elsewhere = await send(login.POST, "POST", "/api/auth/login", { body: { username: "owner", password: OWNER_PASSWORD }, ip: "10.20.0.2" });
    expect(elsewhere.status).toBe(429);
    h.clock.advance(15 * 60_000 + 1_000);
    ownerSession = await signIn("owner", OWNER_PASSWORD, "10.20.0.2");
  });

  it("a form post (no script yet) signs in with redirects, never putting the password in a URL", async () => {
    const form = (fields: Record<string, string>) => ({
      rawBody: new URLSearchParams(fields).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const ok = await call(login.POST, apiRequest("POST", "/api/auth/login", form({ username: "owner", password: OWNER_PASSWORD, code: "", next: "/audit" })));
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/audit");
    secretsSeen.push(sessionFrom(ok)!);
    expect(sessionFrom(ok)).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const wrong = await call(login.POST, apiRequest("POST", "/api/auth/login", form({ username: "owner", password: "wrong password", next: "/audit" })));
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get("location")).toBe("/login?error=bad_credentials&next=%2Faudit");
    expect(sessionFrom(wrong)).toBeNull();

    const offsite = await call(login.POST, apiRequest("POST", "/api/auth/login", form({ username: "owner", password: OWNER_PASSWORD, next: "//evil.example/x" })));
    expect(offsite.headers.get("location")).toBe("/");
    secretsSeen.push(sessionFrom(offsite)!);
    ownerSession = await signIn("owner", OWNER_PASSWORD);
  });

  it("logs out: the cookie is cleared and the session no longer works", async () => {
    const extra = await signIn("owner", OWNER_PASSWORD);
    const out = await call(logout.POST, apiRequest("POST", "/api/auth/logout", { session: extra }));
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toMatch(new RegExp(`^${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`));
    expect((await send(session.GET, "GET", "/api/auth/session", { session: extra })).status).toBe(401);
  });
});

describe("viewers", () => {
  it("join through a one-time invite link and are read-only", async () => {
    const created = await send(invites.POST, "POST", "/api/users/invites", { session: ownerSession });
    expect(created.status).toBe(201);
    const path = created.body.path as string;
    const token = path.replace("/invite/", "");
    secretsSeen.push(token);
    const accepted = await send(invite.POST, "POST", "/api/auth/invite", { body: { token, username: "viewer", password: VIEWER_PASSWORD } });
    expect(accepted.status).toBe(201);
    expect(accepted.body).toEqual({ user: { username: "viewer", role: "viewer" } });
    secretsSeen.push(accepted.session!);
    const reused = await send(invite.POST, "POST", "/api/auth/invite", { body: { token, username: "viewer2", password: VIEWER_PASSWORD } });
    expect(reused.status).toBe(410);
    viewerSession = await signIn("viewer", VIEWER_PASSWORD);
    const me = await send(session.GET, "GET", "/api/auth/session", { session: viewerSession });
    expect(me.body).toMatchObject({ user: { role: "viewer" }, permissions: { read: true, trade: false, admin: false } });
  });

  it("an invite link expires after 72 hours", async () => {
    const created = await send(invites.POST, "POST", "/api/users/invites", { session: ownerSession });
    const token = (created.body.path as string).replace("/invite/", "");
    secretsSeen.push(token);
    h.clock.advance(72 * 60 * 60_000 + 1);
    const late = await send(invite.POST, "POST", "/api/auth/invite", { body: { token, username: "latecomer", password: VIEWER_PASSWORD } });
    expect(late.status).toBe(410);
    ownerSession = await signIn("owner", OWNER_PASSWORD);
    viewerSession = await signIn("viewer", VIEWER_PASSWORD);
  });
});

/** Every protected route, with a request body that would be valid. */
const protectedRoutes: [name: string, handler: Handler, method: string, path: string, body?: unknown, params?: Record<string, string>][] = [
  ["GET session", session.GET, "GET", "/api/auth/session"],
  ["POST logout", logout.POST, "POST", "/api/auth/logout"],
  ["POST password", password.POST, "POST", "/api/auth/password", { currentPassword: "x".repeat(12), newPassword: "y".repeat(12) }],
  ["GET totp", totp.GET, "GET", "/api/auth/totp"],
  ["POST totp", totp.POST, "POST", "/api/auth/totp", { password: "x".repeat(12) }],
  ["DELETE totp", totp.DELETE, "DELETE", "/api/auth/totp", { password: "x".repeat(12) }],
  ["POST totp confirm", totpConfirm.POST, "POST", "/api/auth/totp/confirm", { code: "123456" }],
  ["POST recovery codes", recoveryCodes.POST, "POST", "/api/auth/totp/recovery-codes", { password: "x".repeat(12) }],
  ["GET tokens", tokens.GET, "GET", "/api/tokens"],
  ["POST tokens", tokens.POST, "POST", "/api/tokens", { name: "n", scope: "read" }],
  ["DELETE token", tokenById.DELETE, "DELETE", `/api/tokens/${SOME_UUID}`, undefined, { id: SOME_UUID }],
  ["GET users", users.GET, "GET", "/api/users"],
  ["DELETE user", userById.DELETE, "DELETE", `/api/users/${SOME_UUID}`, undefined, { id: SOME_UUID }],
  ["POST invites", invites.POST, "POST", "/api/users/invites"],
  ["GET audit", audit.GET, "GET", "/api/audit"],
];

const ownerOnly = new Set(["GET tokens", "POST tokens", "DELETE token", "GET users", "DELETE user", "POST invites"]);

describe("access control on every route", () => {
  it.each(protectedRoutes)("%s without a session is 401", async (_name, handler, method, path, body, params) => {
    const response = await send(handler, method, path, { body }, params);
    expect(response.status).toBe(401);
    expect(response.body.error?.code).toBe("unauthenticated");
    expect(response.body.error?.message).toMatch(/Sign in/);
  });

  it.each(protectedRoutes)("%s with a dead session is 401", async (_name, handler, method, path, body, params) => {
    const response = await send(handler, method, path, { body, session: "A".repeat(43) }, params);
    expect(response.status).toBe(401);
  });

  it.each(protectedRoutes.filter(([name]) => ownerOnly.has(name)))("%s as a viewer is 403", async (_name, handler, method, path, body, params) => {
    const response = await send(handler, method, path, { body, session: viewerSession }, params);
    expect(response.status).toBe(403);
    expect(response.body.error?.message).toMatch(/viewer role may not change settings, users or API tokens/);
  });

  it.each(protectedRoutes.filter(([, , method]) => method !== "GET"))(
    "%s from another site is 403, even with a valid session",
    async (_name, handler, method, path, body, params) => {
      const response = await send(handler, method, path, { body, session: ownerSession, origin: "https://evil.example" }, params);
      expect(response.status).toBe(403);
      expect(response.body.error?.message).toMatch(/came from https:\/\/evil\.example/);
    },
  );

  it("a cross-site sign-in attempt is refused before any password is checked", async () => {
    const response = await send(login.POST, "POST", "/api/auth/login", { body: { username: "owner", password: OWNER_PASSWORD }, origin: "http://127.0.0.1:9999" });
    expect(response.status).toBe(403);
    expect(response.session).toBeNull();
  });

  it("a cookie request with neither Origin nor Referer is refused; Referer alone is enough", async () => {
    const bare = await send(logout.POST, "POST", "/api/auth/logout", { session: ownerSession, origin: null });
    expect(bare.status).toBe(403);
    expect(bare.body.error?.message).toMatch(/no Origin or Referer/);
    const session2 = await signIn("owner", OWNER_PASSWORD);
    const withReferer = await send(logout.POST, "POST", "/api/auth/logout", {
      session: session2,
      origin: null,
      headers: { referer: "http://127.0.0.1:3000/settings/security" },
    });
    expect(withReferer.status).toBe(200);
  });
});

describe("API tokens over HTTP", () => {
  it("are created once, work as Bearer without Origin, respect scope, and die on revocation", async () => {
    const created = await send(tokens.POST, "POST", "/api/tokens", { session: ownerSession, body: { name: "nightly report", scope: "read" } });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    secretsSeen.push(token);
    expect(token).toMatch(/^kst_/);
    const listed = await send(tokens.GET, "GET", "/api/tokens", { session: ownerSession });
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(listed.body.tokens).toEqual(expect.arrayContaining([expect.objectContaining({ id: created.body.id, name: "nightly report", scope: "read" })]));

    const asScript = await send(session.GET, "GET", "/api/auth/session", { token, origin: null });
    expect(asScript.body).toMatchObject({ via: "token", permissions: { trade: false, admin: false } });
    // A script's POST needs no Origin: a bearer token is not something a browser attaches by itself.
    await expect(authorize(apiRequest("POST", "/api/flatten", { token, origin: null }), "read")).resolves.toMatchObject({ via: "token" });
    await expect(authorize(apiRequest("POST", "/api/flatten", { token, origin: null }), "trade")).rejects.toMatchObject({ status: 403 });
    expect((await send(tokens.GET, "GET", "/api/tokens", { token })).status).toBe(403);

    const revoked = await send(tokenById.DELETE, "DELETE", `/api/tokens/${created.body.id}`, { session: ownerSession }, { id: created.body.id as string });
    expect(revoked.status).toBe(200);
    const after = await send(session.GET, "GET", "/api/auth/session", { token });
    expect(after.status).toBe(401);
    expect(after.body.error?.message).toMatch(/unknown or revoked/);
  });

  it("a malformed Authorization header is 401, never a fallback to the cookie", async () => {
    const response = await send(session.GET, "GET", "/api/auth/session", { session: ownerSession, headers: { authorization: "Basic b3duZXI6b3duZXI=" } });
    expect(response.status).toBe(401);
    expect(response.body.error?.message).toMatch(/Bearer kst_/);
  });
});

describe("users", () => {
  it("the owner lists users and removes a viewer, whose sessions end at once", async () => {
    const listed = await send(users.GET, "GET", "/api/users", { session: ownerSession });
    const viewer = (listed.body.users as { id: string; username: string; role: string }[]).find((user) => user.username === "viewer")!;
    expect(viewer.role).toBe("viewer");
    const owner = (listed.body.users as { id: string; role: string }[]).find((user) => user.role === "owner")!;
    const refused = await send(userById.DELETE, "DELETE", `/api/users/${owner.id}`, { session: ownerSession }, { id: owner.id });
    expect(refused.status).toBe(409);

    const temporary = await makeViewer("temporary");
    const temporarySession = await signIn("temporary", VIEWER_PASSWORD);
    const dropped: string[] = [];
    const stop = h.auth.onSessionRevoked((_sessionId, userId) => dropped.push(userId));
    const removed = await send(userById.DELETE, "DELETE", `/api/users/${temporary}`, { session: ownerSession }, { id: temporary });
    stop();
    expect(removed.status).toBe(200);
    expect(dropped).toContain(temporary);
    expect((await send(session.GET, "GET", "/api/auth/session", { session: temporarySession })).status).toBe(401);
  });
});

describe("the audit log over HTTP", () => {
  it("pages as JSON and exports CSV, filtered by date", async () => {
    const page = await send(audit.GET, "GET", "/api/audit?limit=3", { session: viewerSession });
    expect(page.status).toBe(200);
    expect(page.body.rows).toHaveLength(3);
    expect(typeof page.body.nextCursor).toBe("string");
    const next = await send(audit.GET, "GET", `/api/audit?limit=3&cursor=${page.body.nextCursor}`, { session: viewerSession });
    const ids = (rows: unknown) => (rows as { id: string }[]).map((row) => BigInt(row.id));
    expect(Math.max(...ids(next.body.rows).map(Number))).toBeLessThan(Math.min(...ids(page.body.rows).map(Number)));

    const today = new Date().toISOString().slice(0, 10);
    const csv = await call(audit.GET, apiRequest("GET", `/api/audit?format=csv&from=2000-01-01&to=${today}`, { session: ownerSession }));
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="kestrel-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await csv.text();
    expect(text.split("\r\n")[0]).toBe("id,at,actor,source,action,ip,result,details");
    expect(text).toContain(",auth.login,");
    expect(text).toContain(",auth.token_revoke,");

    const future = await send(audit.GET, "GET", "/api/audit?from=2999-01-01", { session: ownerSession });
    expect(future.body).toEqual({ rows: [], nextCursor: null });
  });
});

/** Wrong types, overlong strings, unicode, negative numbers, broken JSON: always a 4xx naming the problem. */
const badInputs: [name: string, handler: Handler, method: string, path: string, options: RequestOptions, message: RegExp, params?: Record<string, string>][] = [
  ["login: broken JSON", login.POST, "POST", "/api/auth/login", { rawBody: "{\"username\":" }, /not valid JSON/],
  ["login: body is an array", login.POST, "POST", "/api/auth/login", { body: [1, 2] }, /expected object/],
  ["login: username is a number", login.POST, "POST", "/api/auth/login", { body: { username: 42, password: "x" } }, /^username: must be text/],
  ["login: username with emoji", login.POST, "POST", "/api/auth/login", { body: { username: "own🦅er", password: "x" } }, /^username: is 2-32 characters/],
  ["login: username of 10k chars", login.POST, "POST", "/api/auth/login", { body: { username: "a".repeat(10_000), password: "x" } }, /^username:/],
  ["login: password of 300 chars", login.POST, "POST", "/api/auth/login", { body: { username: "owner", password: "p".repeat(300) } }, /^password: is longer than 256/],
  ["login: a negative code", login.POST, "POST", "/api/auth/login", { body: { username: "owner", password: "x", code: "-12345" } }, /^code: is the 6 digits/],
  ["login: unknown field", login.POST, "POST", "/api/auth/login", { body: { username: "owner", password: "x", admin: true } }, /admin/],
  ["login: body over 16 KiB", login.POST, "POST", "/api/auth/login", { rawBody: JSON.stringify({ username: "owner", password: "x", pad: "z".repeat(20_000) }) }, /over 16384 bytes/],
  ["password: new one too short", password.POST, "POST", "/api/auth/password", { body: { currentPassword: OWNER_PASSWORD, newPassword: "short" } }, /^newPassword: needs at least 12/],
  ["password: wrong type", password.POST, "POST", "/api/auth/password", { body: { currentPassword: OWNER_PASSWORD, newPassword: 123456789012 } }, /^newPassword: must be text/],
  ["totp: password missing", totp.POST, "POST", "/api/auth/totp", { body: {} }, /^password: must be text/],
  ["totp confirm: letters", totpConfirm.POST, "POST", "/api/auth/totp/confirm", { body: { code: "abcdef" } }, /^code: is the 6 digits/],
  ["totp confirm: nothing pending", totpConfirm.POST, "POST", "/api/auth/totp/confirm", { body: { code: "123456" } }, /Start the enrolment first/],
  ["recovery codes: TOTP is off", recoveryCodes.POST, "POST", "/api/auth/totp/recovery-codes", { body: { password: OWNER_PASSWORD } }, /turn it on first/],
  ["tokens: unknown scope", tokens.POST, "POST", "/api/tokens", { body: { name: "x", scope: "admin" } }, /^scope: is one of: read, trade/],
  ["tokens: empty name", tokens.POST, "POST", "/api/tokens", { body: { name: "  ", scope: "read" } }, /^name: is empty/],
  ["tokens: overlong name", tokens.POST, "POST", "/api/tokens", { body: { name: "n".repeat(61), scope: "read" } }, /^name: is longer than 60/],
  ["tokens: name with markup", tokens.POST, "POST", "/api/tokens", { body: { name: "<script>", scope: "read" } }, /^name: may hold/],
  ["tokens: revoke a bad id", tokenById.DELETE, "DELETE", "/api/tokens/1", {}, /^id: is not a valid id/, { id: "1" }],
  ["tokens: revoke an unknown id", tokenById.DELETE, "DELETE", `/api/tokens/${SOME_UUID}`, {}, /No active API token/, { id: SOME_UUID }],
  ["users: remove a bad id", userById.DELETE, "DELETE", "/api/users/-1", {}, /^id: is not a valid id/, { id: "-1" }],
  ["users: remove an unknown id", userById.DELETE, "DELETE", `/api/users/${SOME_UUID}`, {}, /No user with id/, { id: SOME_UUID }],
  ["audit: negative limit", audit.GET, "GET", "/api/audit?limit=-5", {}, /^limit: is at least 1/],
  ["audit: limit too big", audit.GET, "GET", "/api/audit?limit=100000", {}, /^limit: is at most 1000/],
  ["audit: limit not a number", audit.GET, "GET", "/api/audit?limit=ten", {}, /^limit: must be a number/],
  ["audit: bad date", audit.GET, "GET", "/api/audit?from=yesterday", {}, /^from: is a date/],
  ["audit: from after to", audit.GET, "GET", "/api/audit?from=2026-02-01&to=2026-01-01", {}, /^from: must be before to/],
  ["audit: bad cursor", audit.GET, "GET", "/api/audit?cursor=-1", {}, /^cursor:/],
  ["audit: unknown format", audit.GET, "GET", "/api/audit?format=xml", {}, /^format: is json or csv/],
  ["audit: unknown parameter", audit.GET, "GET", "/api/audit?user=owner", {}, /user/],
  ["invite: bad token", invite.POST, "POST", "/api/auth/invite", { body: { token: "abc", username: "x1", password: "p".repeat(12) } }, /^token: is not a valid link token/],
  ["invite: unknown token", invite.POST, "POST", "/api/auth/invite", { body: { token: "A".repeat(43), username: "x1", password: "p".repeat(12) } }, /unknown, already used or expired/],
  ["setup: unknown token", setup.POST, "POST", "/api/auth/setup", { body: { token: "A".repeat(43), password: "p".repeat(12) } }, /unknown, already used or expired/],
];

describe("bad input on every route", () => {
  it.each(badInputs)("%s is a 4xx with a message", async (_name, handler, method, path, options, message, params) => {
    const response = await send(handler, method, path, { session: ownerSession, ...options }, params);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.body.error?.message).toMatch(message);
  });
});

describe("socket.io handshake", () => {
  it("accepts a same-origin handshake with a live session, refuses cross-origin and missing sessions", async () => {
    const cookie = `${SESSION_COOKIE}=${ownerSession}`;
    await expect(authenticateSocketHandshake({ cookie, origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" })).resolves.toMatchObject({ username: "owner" });
    await expect(authenticateSocketHandshake({ cookie, host: "127.0.0.1:3000" })).resolves.toMatchObject({ username: "owner" });
    await expect(authenticateSocketHandshake({ cookie, origin: "https://evil.example", host: "127.0.0.1:3000" })).resolves.toBeNull();
    await expect(authenticateSocketHandshake({ origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" })).resolves.toBeNull();
  });
});

describe("security headers", () => {
  it("forbid framing, sniffing and inline scripts without the nonce", () => {
    const headers = securityHeaders({ nonce: "abc123" });
    expect(headers["Content-Security-Policy"]).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(headers["Content-Security-Policy"]).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(headers["Content-Security-Policy"]).toContain("frame-ancestors 'none'");
    expect(headers["X-Content-Type-Options"]).toBe("nosniff");
    expect(headers["Referrer-Policy"]).toBe("strict-origin");
    expect(headers["Permissions-Policy"]).toContain("camera=()");
  });
});

async function makeViewer(username: string): Promise<string> {
  const created = await send(invites.POST, "POST", "/api/users/invites", { session: ownerSession });
  const token = (created.body.path as string).replace("/invite/", "");
  secretsSeen.push(token);
  const accepted = await send(invite.POST, "POST", "/api/auth/invite", { body: { token, username, password: VIEWER_PASSWORD } });
  expect(accepted.status).toBe(201);
  const user = await h.prisma.user.findUniqueOrThrow({ where: { username } });
  return user.id;
}

describe("errors from another copy of the auth module", () => {
  it("are still answered with their status, as when server.ts and a Next bundle each load lib/auth", async () => {
    const { HttpError } = await import("./errors");
    const foreign = Object.assign(new Error("Wrong username or password."), { [Symbol.for("kestrel.http-error")]: true, status: 401, code: "bad_credentials", headers: {} });
    expect(foreign instanceof HttpError).toBe(true);
    const { errorResponse } = await import("./http");
    const response = errorResponse(foreign, null);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: "bad_credentials", message: "Wrong username or password." } });
    expect(new Error("plain") instanceof HttpError).toBe(false);
    expect(errorResponse(new Error("secret detail"), null).status).toBe(500);
  });
});
