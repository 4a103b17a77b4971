import { auditAuth, type AuthDeps, type RequestMeta } from "./deps";
import { conflict, HttpError } from "./errors";
import type { Principal, Role } from "./principal";
import { hashPassword, randomSecret, sha256Hex } from "./secrets";

export const INVITE_TTL_MS = 72 * 60 * 60_000;
export const SETUP_TTL_MS = 24 * 60 * 60_000;

export interface InviteInfo {
  role: Role;
  expiresAt: Date;
}

const invalidLink = () =>
  new HttpError(410, "link_invalid", "This link is unknown, already used or expired; ask the owner for a new one.");

/**
 * One-time links: the owner invites viewers, and the first start creates an owner "setup" link.
 * Only the sha256 of a link's token is stored; the link itself is shown once.
 */
export class Invites {
  constructor(private readonly deps: AuthDeps) {}

  async createViewerInvite(owner: Principal, meta: RequestMeta): Promise<{ token: string; expiresAt: Date }> {
    const { token, expiresAt, id } = await this.create("viewer", owner.username, INVITE_TTL_MS);
    await auditAuth(this.deps, meta, { actor: owner.username, action: "auth.invite_create", result: "ok", details: { inviteId: id, expiresAt } });
    return { token, expiresAt };
  }

  /** Replaces any earlier unused setup link: only the newest one printed works. */
  async createSetupLink(): Promise<{ token: string; expiresAt: Date }> {
    await this.deps.prisma.invite.deleteMany({ where: { role: "owner", usedAt: null } });
    const { token, expiresAt } = await this.create("owner", null, SETUP_TTL_MS);
    return { token, expiresAt };
  }

  async describe(token: string): Promise<InviteInfo | null> {
    const row = await this.deps.prisma.invite.findUnique({ where: { tokenHash: sha256Hex(token) } });
    if (!row || row.usedAt || row.expiresAt.getTime() <= this.deps.now()) return null;
    return { role: row.role === "owner" ? "owner" : "viewer", expiresAt: row.expiresAt };
  }

  /**
   * Marks the link used and creates the account in one transaction; a link raced twice creates one
   * account. `expectedRole` keeps a viewer invite from ever working on the setup page and vice versa.
   */
  async redeem(
    input: { token: string; username: string; password: string },
    expectedRole: Role,
    meta: RequestMeta,
  ): Promise<{ id: string; username: string; role: Role }> {
    const passwordHash = await hashPassword(input.password);
    const now = new Date(this.deps.now());
    const user = await this.deps.prisma.$transaction(async (tx) => {
      const claimed = await tx.invite.updateMany({
        where: { tokenHash: sha256Hex(input.token), role: expectedRole, usedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now, usedBy: input.username },
      });
      if (claimed.count !== 1) throw invalidLink();
      if (expectedRole === "owner" && (await tx.user.count({ where: { role: "owner" } })) > 0) {
        throw conflict("Kestrel already has an owner; sign in instead.");
      }
      if (await tx.user.findUnique({ where: { username: input.username } })) {
        throw conflict(`username: "${input.username}" is taken; choose another.`);
      }
      return tx.user.create({ data: { username: input.username, role: expectedRole, passwordHash, createdAt: now } });
    });
    await auditAuth(this.deps, meta, {
      actor: user.username,
      action: expectedRole === "owner" ? "auth.setup_complete" : "auth.invite_accept",
      result: "ok",
    });
    return { id: user.id, username: user.username, role: expectedRole };
  }

  private async create(role: Role, createdBy: string | null, ttlMs: number) {
    const token = randomSecret();
    const now = this.deps.now();
    const expiresAt = new Date(now + ttlMs);
    const row = await this.deps.prisma.invite.create({
      data: { tokenHash: sha256Hex(token), role, createdBy, createdAt: new Date(now), expiresAt },
    });
    return { token, expiresAt, id: row.id };
  }
}
