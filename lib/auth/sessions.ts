import { parseRole, type AuthDeps, type RequestMeta } from "./deps";
import type { Principal, Role } from "./principal";
import { randomSecret, sha256Hex } from "./secrets";

export const SESSION_COOKIE = "kestrel_session";
/** A session ends after 12 hours without a request, and 7 days after sign-in whatever happens. */
export const SESSION_IDLE_MS = 12 * 60 * 60_000;
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60_000;
/** lastSeenAt is written at most once a minute, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;
const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface IssuedSession {
  /** The cookie value; only its sha256 is stored. */
  token: string;
  expiresAt: Date;
  principal: Principal;
}

export interface SessionUser {
  id: string;
  username: string;
  role: Role | string;
}

/** When a session ends unless a request renews it: its idle limit or its absolute expiry, whichever comes first. */
function sessionEnd(session: { expiresAt: Date; lastSeenAt: Date }): number {
  return Math.min(session.expiresAt.getTime(), session.lastSeenAt.getTime() + SESSION_IDLE_MS);
}

export class SessionStore {
  constructor(private readonly deps: AuthDeps) {}

  /** Always a fresh id: a cookie presented before sign-in is never upgraded. */
  async issue(user: SessionUser, meta: RequestMeta): Promise<IssuedSession> {
    const token = randomSecret();
    const now = this.deps.now();
    const expiresAt = new Date(now + SESSION_ABSOLUTE_MS);
    const idHash = sha256Hex(token);
    await this.deps.prisma.session.create({
      data: {
        idHash,
        userId: user.id,
        createdAt: new Date(now),
        lastSeenAt: new Date(now),
        expiresAt,
        ip: meta.ip,
        userAgent: meta.userAgent?.slice(0, 300) ?? null,
      },
    });
    const principal: Principal = { userId: user.id, username: user.username, role: parseRole(user.role), sessionId: idHash, via: "session" };
    return { token, expiresAt, principal };
  }

  async authenticate(token: string): Promise<Principal | null> {
    if (!SESSION_TOKEN_PATTERN.test(token)) return null;
    const idHash = sha256Hex(token);
    const session = await this.deps.prisma.session.findUnique({ where: { idHash }, include: { user: true } });
    if (!session) return null;
    const now = this.deps.now();
    if (now >= sessionEnd(session)) {
      await this.revoke(idHash);
      return null;
    }
    if (now - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      await this.deps.prisma.session.updateMany({ where: { idHash }, data: { lastSeenAt: new Date(now) } });
    }
    const { user } = session;
    return { userId: user.id, username: user.username, role: parseRole(user.role), sessionId: idHash, via: "session" };
  }

  /** {@link sessionEnd} of a stored session, in epoch ms; null once it is gone. */
  async endsAt(sessionId: string): Promise<number | null> {
    const session = await this.deps.prisma.session.findUnique({ where: { idHash: sessionId }, select: { expiresAt: true, lastSeenAt: true } });
    return session && sessionEnd(session);
  }

  /** Ends one session (by its stored hash) and tells listeners, so open sockets close too. */
  async revoke(sessionId: string): Promise<void> {
    const deleted = await this.deps.prisma.session.findUnique({ where: { idHash: sessionId }, select: { userId: true } });
    await this.deps.prisma.session.deleteMany({ where: { idHash: sessionId } });
    if (deleted) this.announce(sessionId, deleted.userId);
  }

  /** Ends every session of a user, except the one given (the one changing the password). */
  async revokeAllOf(userId: string, keepSessionId?: string): Promise<number> {
    const where = { userId, ...(keepSessionId ? { idHash: { not: keepSessionId } } : {}) };
    const sessions = await this.deps.prisma.session.findMany({ where, select: { idHash: true } });
    await this.deps.prisma.session.deleteMany({ where: { idHash: { in: sessions.map((s) => s.idHash) } } });
    for (const session of sessions) this.announce(session.idHash, userId);
    return sessions.length;
  }

  async listOf(userId: string): Promise<{ id: string; createdAt: Date; lastSeenAt: Date; ip: string | null; userAgent: string | null }[]> {
    const rows = await this.deps.prisma.session.findMany({ where: { userId }, orderBy: { lastSeenAt: "desc" } });
    return rows.map((row) => ({ id: row.idHash, createdAt: row.createdAt, lastSeenAt: row.lastSeenAt, ip: row.ip, userAgent: row.userAgent }));
  }

  private announce(sessionId: string, userId: string): void {
    try {
      this.deps.events.emit("sessionRevoked", sessionId, userId);
    } catch (error) {
      this.deps.log.error({ err: error }, "a session-revoked listener failed");
    }
  }
}
