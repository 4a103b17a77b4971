import { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { ApiTokens } from "./api-tokens";
import { auditAuth, parseRole, type AuthDeps, type AuthEvents, type RequestMeta } from "./deps";
import { conflict, HttpError, notFound } from "./errors";
import { Invites } from "./invites";
import type { Principal, Role } from "./principal";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "./secrets";
import { SecretBox } from "@/lib/adapters/secret-box";
import { SessionStore, type IssuedSession } from "./sessions";
import { LoginThrottle, throttleKeys } from "./throttle";
import { TwoFactor } from "./two-factor";

export interface AuthServiceOptions {
  prisma: PrismaClient;
  log: Logger;
  /** Milliseconds since the epoch; injected so tests can move time. */
  clock?: () => number;
  /** Mark cookies Secure: on whenever Kestrel is served over HTTPS (directly or behind a proxy). */
  secureCookies: boolean;
  /** KESTREL_SECRET_KEY: TOTP secrets are stored sealed with it; without it, as they are. */
  secretKey?: string;
}

export interface UserSummary {
  id: string;
  username: string;
  role: Role;
  totpEnabled: boolean;
  createdAt: Date;
}

export interface LoginInput {
  username: string;
  password: string;
  code?: string;
}

export function createAuthService(options: AuthServiceOptions): AuthService {
  return new AuthService(options);
}

/**
 * Sign-in, sessions, users, invites, TOTP and API tokens. Route handlers reach it through the
 * app context; the realtime layer listens to `onSessionRevoked` to drop a revoked session's sockets.
 */
export class AuthService {
  readonly secureCookies: boolean;
  readonly sessions: SessionStore;
  readonly tokens: ApiTokens;
  readonly invites: Invites;
  readonly totp: TwoFactor;
  private readonly deps: AuthDeps;
  private readonly throttle: LoginThrottle;

  constructor(options: AuthServiceOptions) {
    const events = new EventEmitter<AuthEvents>();
    const secretBox = options.secretKey === undefined ? undefined : new SecretBox(options.secretKey);
    this.deps = { prisma: options.prisma, log: options.log, now: options.clock ?? Date.now, events, secretBox };
    this.secureCookies = options.secureCookies;
    this.sessions = new SessionStore(this.deps);
    this.tokens = new ApiTokens(this.deps);
    this.invites = new Invites(this.deps);
    this.totp = new TwoFactor(this.deps);
    this.throttle = new LoginThrottle(options.prisma, this.deps.now);
  }

  onSessionRevoked(listener: (sessionId: string, userId: string) => void): () => void {
    this.deps.events.on("sessionRevoked", listener);
    return () => this.deps.events.off("sessionRevoked", listener);
  }

  now(): number {
    return this.deps.now();
  }

  async ownerExists(): Promise<boolean> {
    return (await this.deps.prisma.user.count({ where: { role: "owner" } })) > 0;
  }

  /**
   * Password, then the second factor when enabled. Every attempt counts against the IP address
   * and the account until one succeeds; an unknown user costs the same time as a known one.
   */
  async login(input: LoginInput, meta: RequestMeta): Promise<IssuedSession> {
    const keys = throttleKeys(meta.ip, input.username);
    const lockedUntil = await this.throttle.admit(keys);
    if (lockedUntil) {
      await auditAuth(this.deps, meta, { actor: input.username, action: "auth.login", result: "denied", details: { reason: "locked_out" } });
      throw lockedOut(lockedUntil, this.deps.now());
    }
    const user = await this.deps.prisma.user.findUnique({ where: { username: input.username } });
    const passwordOk = user ? await verifyPassword(user.passwordHash, input.password) : await verifyAgainstDummy(input.password);
    if (!user || !passwordOk) {
      await auditAuth(this.deps, meta, { actor: input.username, action: "auth.login", result: "failed", details: { reason: "bad_credentials" } });
      throw new HttpError(401, "bad_credentials", "Wrong username or password.");
    }
    if (user.totpSecret) await this.checkSecondFactor({ ...user, totpSecret: user.totpSecret }, input.code, meta);
    await this.throttle.clear(keys);
    const issued = await this.sessions.issue(user, meta);
    await auditAuth(this.deps, meta, { actor: user.username, action: "auth.login", result: "ok" });
    return issued;
  }

  async logout(principal: Principal, meta: RequestMeta): Promise<void> {
    if (principal.sessionId) await this.sessions.revoke(principal.sessionId);
    await auditAuth(this.deps, meta, { actor: principal.username, action: "auth.logout", result: "ok" });
  }

  /** Re-checks the password before a sensitive change; throttled like a sign-in. */
  async confirmPassword(principal: Principal, password: string, meta: RequestMeta): Promise<void> {
    const keys = throttleKeys(meta.ip, principal.username);
    const lockedUntil = await this.throttle.admit(keys);
    if (lockedUntil) throw lockedOut(lockedUntil, this.deps.now());
    const user = await this.deps.prisma.user.findUnique({ where: { id: principal.userId } });
    if (!user || !(await verifyPassword(user.passwordHash, password))) {
      await auditAuth(this.deps, meta, { actor: principal.username, action: "auth.password_confirm", result: "failed", via: principal.via });
      throw new HttpError(403, "bad_password", "currentPassword: that is not your current password.");
    }
    await this.throttle.clear(keys);
  }

  /** Changes the password and ends every other session of the user; the current one stays. */
  async changePassword(principal: Principal, input: { currentPassword: string; newPassword: string }, meta: RequestMeta): Promise<number> {
    await this.confirmPassword(principal, input.currentPassword, meta);
    await this.deps.prisma.user.update({
      where: { id: principal.userId },
      data: { passwordHash: await hashPassword(input.newPassword), passwordChangedAt: new Date(this.deps.now()) },
    });
    const ended = await this.sessions.revokeAllOf(principal.userId, principal.sessionId);
    await auditAuth(this.deps, meta, {
      actor: principal.username,
      action: "auth.password_change",
      result: "ok",
      details: { otherSessionsEnded: ended },
    });
    return ended;
  }

  /** The owner account from KESTREL_ADMIN_PASSWORD at first start. */
  async createOwner(username: string, password: string): Promise<void> {
    if (await this.ownerExists()) throw conflict("Kestrel already has an owner.");
    await this.deps.prisma.user.create({
      data: { username, role: "owner", passwordHash: await hashPassword(password), createdAt: new Date(this.deps.now()) },
    });
    await auditAuth(this.deps, { ip: null }, { actor: username, action: "auth.owner_create", result: "ok", via: "system" });
  }

  async listUsers(): Promise<UserSummary[]> {
    const rows = await this.deps.prisma.user.findMany({ orderBy: { createdAt: "asc" } });
    return rows.map((row) => ({
      id: row.id,
      username: row.username,
      role: parseRole(row.role),
      totpEnabled: row.totpSecret !== null,
      createdAt: row.createdAt,
    }));
  }

  /** Removes a viewer: their sessions end at once and their tokens go with them. */
  async removeUser(owner: Principal, userId: string, meta: RequestMeta): Promise<void> {
    const user = await this.deps.prisma.user.findUnique({ where: { id: userId } });
    if (!user) throw notFound(`No user with id ${userId}.`);
    if (user.role === "owner") throw conflict("The owner account cannot be removed.");
    await this.sessions.revokeAllOf(user.id);
    await this.deps.prisma.user.delete({ where: { id: user.id } });
    await auditAuth(this.deps, meta, { actor: owner.username, action: "auth.user_remove", result: "ok", details: { username: user.username } });
  }

  private async checkSecondFactor(
    user: { id: string; username: string; totpSecret: string },
    code: string | undefined,
    meta: RequestMeta,
  ): Promise<void> {
    if (!code) {
      throw new HttpError(401, "totp_required", "Enter the 6-digit code from your authenticator app, or a recovery code.");
    }
    if (!(await this.totp.verify(user, code, meta))) {
      await auditAuth(this.deps, meta, { actor: user.username, action: "auth.login", result: "failed", details: { reason: "bad_second_factor" } });
      throw new HttpError(401, "bad_second_factor", "That code is wrong or was already used; wait for the next code and try again.");
    }
  }
}

function lockedOut(until: Date, now: number): HttpError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now) / 1000));
  const minutes = Math.ceil(seconds / 60);
  const at = until.toISOString().slice(11, 16);
  return new HttpError(
    429,
    "locked_out",
    `Too many failed sign-in attempts. Try again after ${at} UTC (in about ${minutes} minute${minutes === 1 ? "" : "s"}).`,
    { "Retry-After": String(seconds) },
  );
}
