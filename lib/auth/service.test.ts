import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuthService, type AuthService } from "./service";
import { startAuthHarness, type AuthHarness } from "./test-harness";
import { hotp, base32Decode, totpStep } from "./totp";
import { ensureOwner, assertSafeListenAddress } from "./owner";
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from "./sessions";
import { HttpError } from "./errors";
import { can, type Principal } from "./principal";
import { sha256Hex } from "./secrets";
import { LOGIN_THROTTLE } from "./throttle";

const OWNER_PASSWORD = "correct horse battery staple";
const meta = (ip = "10.0.0.1") => ({ ip, userAgent: "vitest" });

let h: AuthHarness;
let auth: AuthService;
const secretsSeen: string[] = [OWNER_PASSWORD];

beforeAll(async () => {
  h = await startAuthHarness();
  auth = h.auth;
  const env = { KESTREL_ADMIN_PASSWORD: OWNER_PASSWORD };
  const created = await ensureOwner({ auth, env, log: h.log, publicBaseUrl: "http://127.0.0.1:3000" });
  expect(created).toEqual({ ownerExists: true });
});

afterAll(async () => {
  // Whatever happened above, no password, session id, token, code or TOTP secret reached the log.
  const log = h.logText();
  expect(log.length).toBeGreaterThan(0);
  for (const secret of secretsSeen) expect(log).not.toContain(secret);
  await h.stop();
});

async function expectHttpError(promise: Promise<unknown>, status: number, code: string): Promise<HttpError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HttpError);
  expect((error as HttpError).status).toBe(status);
  expect((error as HttpError).code).toBe(code);
  return error as HttpError;
}

async function signIn(username = "owner", password = OWNER_PASSWORD, ip = "10.0.0.1", code?: string) {
  const issued = await auth.login({ username, password, code }, meta(ip));
  secretsSeen.push(issued.token);
  return issued;
}

describe("owner bootstrap", () => {
  it("stores an argon2id hash, never the password", async () => {
    const owner = await h.prisma.user.findUniqueOrThrow({ where: { username: "owner" } });
    expect(owner.role).toBe("owner");
    expect(owner.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(owner.passwordHash).not.toContain(OWNER_PASSWORD);
  });

  it("does nothing once an owner exists", async () => {
    const again = await ensureOwner({ auth, env: {}, log: pino({ level: "silent" }), publicBaseUrl: "http://x" });
    expect(again).toEqual({ ownerExists: true });
  });

  it("refuses a public listen address until an owner exists", () => {
    expect(() => assertSafeListenAddress("0.0.0.0", false)).toThrow(/KESTREL_ADMIN_PASSWORD/);
    expect(() => assertSafeListenAddress("192.168.1.20", false)).toThrow(/Refusing to listen on 192.168.1.20/);
    expect(() => assertSafeListenAddress("127.0.0.1", false)).not.toThrow();
    expect(() => assertSafeListenAddress("localhost", false)).not.toThrow();
    expect(() => assertSafeListenAddress("::1", false)).not.toThrow();
    expect(() => assertSafeListenAddress("0.0.0.0", true)).not.toThrow();
  });
});

describe("sign-in and sessions", () => {
  it("issues a fresh 256-bit session id on every sign-in and stores only its sha256", async () => {
    const first = await signIn();
    const second = await signIn();
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.token).not.toBe(first.token);
    expect(first.principal).toMatchObject({ username: "owner", role: "owner", via: "session", sessionId: sha256Hex(first.token) });
    const stored = await h.prisma.session.findMany({ select: { idHash: true } });
    expect(stored.map((row) => row.idHash)).toContain(sha256Hex(first.token));
    expect(JSON.stringify(stored)).not.toContain(first.token);
    expect(await auth.sessions.authenticate(first.token)).toMatchObject({ username: "owner" });
  });

  it("answers a wrong password and an unknown user with the same 401", async () => {
    const wrong = await expectHttpError(auth.login({ username: "owner", password: "nope nope nope" }, meta("10.0.0.2")), 401, "bad_credentials");
    const unknown = await expectHttpError(auth.login({ username: "nobody", password: "nope nope nope" }, meta("10.0.0.2")), 401, "bad_credentials");
    expect(unknown.message).toBe(wrong.message);
    await auth.login({ username: "owner", password: OWNER_PASSWORD }, meta("10.0.0.2"));
  });

  it("ends a session after 12 idle hours", async () => {
    const { token } = await signIn();
    h.clock.advance(SESSION_IDLE_MS - 1_000);
    expect(await auth.sessions.authenticate(token)).not.toBeNull();
    h.clock.advance(SESSION_IDLE_MS);
    expect(await auth.sessions.authenticate(token)).toBeNull();
    expect(await h.prisma.session.count({ where: { idHash: sha256Hex(token) } })).toBe(0);
  });

  it("ends a session 7 days after sign-in even when it is used every hour", async () => {
    const { token } = await signIn();
    const start = h.clock.now;
    while (h.clock.now - start < SESSION_ABSOLUTE_MS - 60 * 60_000) {
      h.clock.advance(60 * 60_000);
      expect(await auth.sessions.authenticate(token)).not.toBeNull();
    }
    h.clock.advance(60 * 60_000);
    expect(await auth.sessions.authenticate(token)).toBeNull();
  });

  it("says when a session will end: its idle limit, pushed back by use, never past its absolute expiry", async () => {
    const { token, expiresAt } = await signIn();
    const sessionId = sha256Hex(token);
    const signedInAt = h.clock.now;
    expect(await auth.sessions.endsAt(sessionId)).toBe(signedInAt + SESSION_IDLE_MS);
    h.clock.advance(2 * 60 * 60_000);
    await auth.sessions.authenticate(token);
    expect(await auth.sessions.endsAt(sessionId)).toBe(h.clock.now + SESSION_IDLE_MS);
    while (h.clock.now < expiresAt.getTime() - SESSION_IDLE_MS) {
      h.clock.advance(6 * 60 * 60_000);
      await auth.sessions.authenticate(token);
    }
    expect(await auth.sessions.endsAt(sessionId)).toBe(signedInAt + SESSION_ABSOLUTE_MS);
    await auth.sessions.revoke(sessionId);
    expect(await auth.sessions.endsAt(sessionId)).toBeNull();
  });

  it("refuses malformed and unknown session ids", async () => {
    expect(await auth.sessions.authenticate("")).toBeNull();
    expect(await auth.sessions.authenticate("x".repeat(43))).toBeNull();
    expect(await auth.sessions.authenticate("'; DROP TABLE sessions; --")).toBeNull();
  });

  it("logs out: the session is gone and listeners hear which one", async () => {
    const { token, principal } = await signIn();
    const heard: [string, string][] = [];
    const stop = auth.onSessionRevoked((sessionId, userId) => heard.push([sessionId, userId]));
    await auth.logout(principal, meta());
    stop();
    expect(heard).toEqual([[principal.sessionId, principal.userId]]);
    expect(await auth.sessions.authenticate(token)).toBeNull();
  });

  it("a password change ends every other session, keeps this one, and swaps the password", async () => {
    const current = await signIn();
    const other = await signIn("owner", OWNER_PASSWORD, "10.0.0.9");
    const heard: string[] = [];
    const stop = auth.onSessionRevoked((sessionId) => heard.push(sessionId));
    const newPassword = "a brand new passphrase ✓";
    secretsSeen.push(newPassword);
    await expectHttpError(auth.changePassword(current.principal, { currentPassword: "wrong wrong", newPassword }, meta()), 403, "bad_password");
    await auth.changePassword(current.principal, { currentPassword: OWNER_PASSWORD, newPassword }, meta());
    stop();
    expect(heard).toContain(other.principal.sessionId);
    expect(heard).not.toContain(current.principal.sessionId);
    expect(await auth.sessions.authenticate(other.token)).toBeNull();
    expect(await auth.sessions.authenticate(current.token)).not.toBeNull();
    await expectHttpError(auth.login({ username: "owner", password: OWNER_PASSWORD }, meta("10.0.0.3")), 401, "bad_credentials");
    await signIn("owner", newPassword, "10.0.0.3");
    await auth.changePassword(current.principal, { currentPassword: newPassword, newPassword: OWNER_PASSWORD }, meta());
  });
});

describe("sign-in throttle", () => {
  it("locks an account after 5 failures in 15 minutes, from any address, and says when to retry", async () => {
    await auth.invites.createViewerInvite(await ownerPrincipal(), meta());
    const viewer = await makeViewer("lockme");
    for (let i = 0; i < LOGIN_THROTTLE.maxFailures; i++) {
      await expectHttpError(auth.login({ username: viewer, password: "wrong password" }, meta(`10.1.0.${i}`)), 401, "bad_credentials");
    }
    const locked = await expectHttpError(auth.login({ username: viewer, password: VIEWER_PASSWORD }, meta("10.1.1.1")), 429, "locked_out");
    expect(locked.message).toMatch(/Try again after \d{2}:\d{2} UTC \(in about 15 minutes\)/);
    expect(Number(locked.headers["Retry-After"])).toBe(15 * 60);

    // The lock lives in the database: a new service on the same database (a restart) still refuses.
    const restarted = createAuthService({ prisma: h.prisma, log: pino({ level: "silent" }), clock: () => h.clock.now, secureCookies: false });
    await expectHttpError(restarted.login({ username: viewer, password: VIEWER_PASSWORD }, meta("10.1.1.2")), 429, "locked_out");

    h.clock.advance(LOGIN_THROTTLE.lockMs + 1_000);
    const issued = await auth.login({ username: viewer, password: VIEWER_PASSWORD }, meta("10.1.1.3"));
    secretsSeen.push(issued.token);
  });

  it("locks an IP address after 5 failures, whatever usernames it tries", async () => {
    for (let i = 0; i < LOGIN_THROTTLE.maxFailures; i++) {
      await expectHttpError(auth.login({ username: `guess${i}`, password: "wrong password" }, meta("10.2.0.1")), 401, "bad_credentials");
    }
    await expectHttpError(auth.login({ username: "owner", password: OWNER_PASSWORD }, meta("10.2.0.1")), 429, "locked_out");
    await signIn("owner", OWNER_PASSWORD, "10.2.0.2");
  });

  it("lets no more than 5 guesses through even when they arrive at once", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => auth.login({ username: "parallel", password: "wrong password" }, meta("10.3.0.1"))),
    );
    const codes = results.map((result) => (result.status === "rejected" ? ((result.reason as HttpError).code ?? String(result.reason)) : "ok"));
    // Each attempt counts on the IP and the account key; an attempt refused by one key may still
    // have used a slot on the other, so fewer than 5 may get through, never more.
    const checked = codes.filter((code) => code === "bad_credentials").length;
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(checked).toBeLessThanOrEqual(LOGIN_THROTTLE.maxFailures);
    expect(codes.filter((code) => code === "locked_out")).toHaveLength(20 - checked);
  });

  it("forgets failures older than the window", async () => {
    for (let i = 0; i < LOGIN_THROTTLE.maxFailures - 1; i++) {
      await expectHttpError(auth.login({ username: "owner", password: "wrong password" }, meta("10.4.0.1")), 401, "bad_credentials");
    }
    h.clock.advance(LOGIN_THROTTLE.windowMs + 1);
    for (let i = 0; i < LOGIN_THROTTLE.maxFailures - 1; i++) {
      await expectHttpError(auth.login({ username: "owner", password: "wrong password" }, meta("10.4.0.1")), 401, "bad_credentials");
    }
    await signIn("owner", OWNER_PASSWORD, "10.4.0.1");
  });
});

describe("TOTP second factor", () => {
  it("enrols, demands a code, refuses replays, and accepts each recovery code once", async () => {
    const { principal } = await signIn();
    const { secret, uri } = await auth.totp.begin(principal);
    secretsSeen.push(secret);
    expect(uri).toBe(`otpauth://totp/Kestrel:owner?secret=${secret}&issuer=Kestrel&algorithm=SHA1&digits=6&period=30`);
    const codeAt = (ms: number) => hotp(base32Decode(secret), totpStep(ms));

    await expectHttpError(auth.totp.confirm(principal, codeAt(h.clock.now + 5 * 60_000), meta()), 400, "invalid_request");
    const recoveryCodes = await auth.totp.confirm(principal, codeAt(h.clock.now), meta());
    secretsSeen.push(...recoveryCodes);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    expect(await auth.totp.status(principal.userId)).toEqual({ enabled: true, pending: false, recoveryCodesLeft: 10 });

    await expectHttpError(auth.login({ username: "owner", password: OWNER_PASSWORD }, meta("10.5.0.1")), 401, "totp_required");
    // The confirming code's step is spent; the next step's code works once, then never again.
    await expectHttpError(signIn("owner", OWNER_PASSWORD, "10.5.0.1", codeAt(h.clock.now)), 401, "bad_second_factor");
    h.clock.advance(30_000);
    await signIn("owner", OWNER_PASSWORD, "10.5.0.1", codeAt(h.clock.now));
    await expectHttpError(signIn("owner", OWNER_PASSWORD, "10.5.0.1", codeAt(h.clock.now)), 401, "bad_second_factor");
    // One step of drift either way is accepted.
    h.clock.advance(60_000);
    await signIn("owner", OWNER_PASSWORD, "10.5.0.2", codeAt(h.clock.now + 30_000));

    await signIn("owner", OWNER_PASSWORD, "10.5.0.3", recoveryCodes[0].toUpperCase());
    await expectHttpError(signIn("owner", OWNER_PASSWORD, "10.5.0.3", recoveryCodes[0]), 401, "bad_second_factor");
    expect((await auth.totp.status(principal.userId)).recoveryCodesLeft).toBe(9);

    await auth.totp.disable(principal, meta());
    expect(await auth.totp.status(principal.userId)).toEqual({ enabled: false, pending: false, recoveryCodesLeft: 0 });
    await signIn("owner", OWNER_PASSWORD, "10.5.0.4");
  });
});

describe("API tokens", () => {
  it("are shown once, stored hashed, scoped, and dead on the very next request after revocation", async () => {
    const owner = await ownerPrincipal();
    const { token, summary } = await auth.tokens.create(owner, { name: "backtest script", scope: "read" }, meta());
    secretsSeen.push(token);
    expect(token).toMatch(/^kst_[A-Za-z0-9_-]{43}$/);
    expect(summary.hint).toBe(token.slice(0, 8));
    const stored = await h.prisma.apiToken.findUniqueOrThrow({ where: { id: summary.id } });
    expect(stored.tokenHash).toBe(sha256Hex(token));

    const principal = (await auth.tokens.authenticate(token)) as Principal;
    expect(principal).toMatchObject({ via: "token", tokenId: summary.id, tokenScope: "read", role: "owner" });
    expect([can(principal, "read"), can(principal, "trade"), can(principal, "admin")]).toEqual([true, false, false]);
    expect((await h.prisma.apiToken.findUniqueOrThrow({ where: { id: summary.id } })).lastUsedAt?.getTime()).toBe(h.clock.now);

    await auth.tokens.revoke(owner, summary.id, meta());
    expect(await auth.tokens.authenticate(token)).toBeNull();
    await expectHttpError(auth.tokens.revoke(owner, summary.id, meta()), 404, "not_found");
  });

  it("a trade token may trade but never administer", async () => {
    const { token } = await auth.tokens.create(await ownerPrincipal(), { name: "webhook", scope: "trade" }, meta());
    secretsSeen.push(token);
    const principal = (await auth.tokens.authenticate(token)) as Principal;
    expect([can(principal, "read"), can(principal, "trade"), can(principal, "admin")]).toEqual([true, true, false]);
  });
});

describe("audit trail", () => {
  it("records each auth event with who, from where and the outcome", async () => {
    const rows = await h.prisma.auditLog.findMany({ where: { action: { startsWith: "auth." } } });
    const seen = new Set(rows.map((row) => `${row.action}:${row.result}`));
    for (const expected of [
      "auth.owner_create:ok",
      "auth.login:ok",
      "auth.login:failed",
      "auth.login:denied",
      "auth.logout:ok",
      "auth.password_change:ok",
      "auth.password_confirm:failed",
      "auth.totp_enable:ok",
      "auth.totp_enable:failed",
      "auth.totp_disable:ok",
      "auth.recovery_code_use:ok",
      "auth.invite_create:ok",
      "auth.invite_accept:ok",
      "auth.token_create:ok",
      "auth.token_revoke:ok",
    ]) {
      expect(seen, expected).toContain(expected);
    }
    const failed = rows.find((row) => row.action === "auth.login" && row.result === "failed");
    expect(failed?.ip).toMatch(/^10\./);
    expect(JSON.stringify(rows.map((row) => row.details))).not.toContain(OWNER_PASSWORD);
  });
});

const VIEWER_PASSWORD = "viewer password 1234";

async function ownerPrincipal(): Promise<Principal> {
  const issued = await signIn("owner", OWNER_PASSWORD, "10.9.9.9");
  return issued.principal;
}

async function makeViewer(username: string): Promise<string> {
  const { token } = await auth.invites.createViewerInvite(await ownerPrincipal(), meta());
  secretsSeen.push(token);
  await auth.invites.redeem({ token, username, password: VIEWER_PASSWORD }, "viewer", meta());
  return username;
}

describe("TOTP secrets at rest", () => {
  const KEY = "an example KESTREL_SECRET_KEY, 32+ characters";
  const serviceWithKey = (secretKey: string | undefined) =>
    createAuthService({ prisma: h.prisma, log: h.log, clock: () => h.clock.now, secureCookies: false, secretKey });
  const storedSecrets = (userId: string) => h.prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { totpSecret: true, totpPendingSecret: true } });

  async function enrol(service: AuthService, ip: string) {
    const { principal } = await service.login({ username: "owner", password: OWNER_PASSWORD }, meta(ip));
    const { secret } = await service.totp.begin(principal);
    secretsSeen.push(secret);
    const codeAt = (ms: number) => hotp(base32Decode(secret), totpStep(ms));
    return { principal, secret, codeAt };
  }

  it("are sealed with KESTREL_SECRET_KEY, still check codes, and need that key; recovery codes do not", async () => {
    const sealing = serviceWithKey(KEY);
    const { principal, secret, codeAt } = await enrol(sealing, "10.6.0.1");
    const pending = await storedSecrets(principal.userId);
    expect(pending.totpPendingSecret).toMatch(/^v1\./);
    expect(pending.totpPendingSecret).not.toContain(secret);

    const recoveryCodes = await sealing.totp.confirm(principal, codeAt(h.clock.now), meta());
    secretsSeen.push(...recoveryCodes);
    const enabled = await storedSecrets(principal.userId);
    expect(enabled.totpSecret).toMatch(/^v1\./);
    expect(enabled.totpSecret).not.toContain(secret);
    h.clock.advance(30_000);
    await sealing.login({ username: "owner", password: OWNER_PASSWORD, code: codeAt(h.clock.now) }, meta("10.6.0.2"));

    h.clock.advance(30_000);
    for (const other of [serviceWithKey("another key, also 32 characters or more"), serviceWithKey(undefined)]) {
      await expectHttpError(other.login({ username: "owner", password: OWNER_PASSWORD, code: codeAt(h.clock.now) }, meta("10.6.0.3")), 401, "bad_second_factor");
    }
    expect(h.logText()).toContain("a two-factor secret cannot be opened");
    expect(h.logText()).toContain("a two-factor secret is sealed but KESTREL_SECRET_KEY is not set");
    await serviceWithKey(undefined).login({ username: "owner", password: OWNER_PASSWORD, code: recoveryCodes[0] }, meta("10.6.0.4"));
    await sealing.totp.disable(principal, meta());
  });

  it("seals the secrets stored in clear once a key is set, and codes keep working", async () => {
    const clear = serviceWithKey(undefined);
    const { principal, secret, codeAt } = await enrol(clear, "10.7.0.1");
    secretsSeen.push(...(await clear.totp.confirm(principal, codeAt(h.clock.now), meta())));
    expect((await storedSecrets(principal.userId)).totpSecret).toBe(secret);

    const sealing = serviceWithKey(KEY);
    await sealing.totp.sealStoredSecrets();
    const stored = await storedSecrets(principal.userId);
    expect(stored.totpSecret).toMatch(/^v1\./);
    expect(stored.totpSecret).not.toContain(secret);
    expect(h.logText()).toContain("sealed two-factor secrets stored before KESTREL_SECRET_KEY was set");
    await sealing.totp.sealStoredSecrets();
    expect((await storedSecrets(principal.userId)).totpSecret).toBe(stored.totpSecret);

    h.clock.advance(30_000);
    await sealing.login({ username: "owner", password: OWNER_PASSWORD, code: codeAt(h.clock.now) }, meta("10.7.0.2"));
    await sealing.totp.disable(principal, meta());
  });
});
