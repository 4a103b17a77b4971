import { auditAuth, parseRole, type AuthDeps, type RequestMeta } from "./deps";
import { notFound } from "./errors";
import type { Principal, TokenScope } from "./principal";
import { randomSecret, sha256Hex } from "./secrets";

export const API_TOKEN_PREFIX = "kst_";
const API_TOKEN_PATTERN = /^kst_[A-Za-z0-9_-]{43}$/;
/** lastUsedAt is written at most once a minute per token. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiTokenSummary {
  id: string;
  name: string;
  scope: TokenScope;
  /** The first characters, enough to recognise a token in a script without revealing it. */
  hint: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

function toScope(value: string): TokenScope {
  if (value === "read" || value === "trade") return value;
  throw new Error(`unknown token scope "${value}" in the api_tokens table`);
}

/** Tokens for scripts and webhooks: `kst_` + 256 random bits, shown once, stored as sha256. */
export class ApiTokens {
  constructor(private readonly deps: AuthDeps) {}

  async create(
    owner: Principal,
    input: { name: string; scope: TokenScope },
    meta: RequestMeta,
  ): Promise<{ token: string; summary: ApiTokenSummary }> {
    const token = `${API_TOKEN_PREFIX}${randomSecret()}`;
    const row = await this.deps.prisma.apiToken.create({
      data: {
        userId: owner.userId,
        name: input.name,
        scope: input.scope,
        tokenHash: sha256Hex(token),
        hint: token.slice(0, API_TOKEN_PREFIX.length + 4),
        createdAt: new Date(this.deps.now()),
      },
    });
    await auditAuth(this.deps, meta, {
      actor: owner.username,
      action: "auth.token_create",
      result: "ok",
      details: { tokenId: row.id, name: input.name, scope: input.scope },
    });
    return { token, summary: toSummary(row) };
  }

  async list(userId: string): Promise<ApiTokenSummary[]> {
    const rows = await this.deps.prisma.apiToken.findMany({ where: { userId }, orderBy: { createdAt: "desc" } });
    return rows.map(toSummary);
  }

  /** Takes effect on the very next request: every request looks the token up again. */
  async revoke(owner: Principal, tokenId: string, meta: RequestMeta): Promise<void> {
    const revoked = await this.deps.prisma.apiToken.updateMany({
      where: { id: tokenId, userId: owner.userId, revokedAt: null },
      data: { revokedAt: new Date(this.deps.now()) },
    });
    if (revoked.count === 0) throw notFound(`No active API token with id ${tokenId}.`);
    await auditAuth(this.deps, meta, { actor: owner.username, action: "auth.token_revoke", result: "ok", details: { tokenId } });
  }

  async authenticate(token: string): Promise<Principal | null> {
    if (!API_TOKEN_PATTERN.test(token)) return null;
    const row = await this.deps.prisma.apiToken.findUnique({ where: { tokenHash: sha256Hex(token) }, include: { user: true } });
    if (!row || row.revokedAt) return null;
    const now = this.deps.now();
    if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      await this.deps.prisma.apiToken.updateMany({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
    }
    return {
      userId: row.user.id,
      username: row.user.username,
      role: parseRole(row.user.role),
      tokenId: row.id,
      tokenScope: toScope(row.scope),
      via: "token",
    };
  }
}

function toSummary(row: {
  id: string;
  name: string;
  scope: string;
  hint: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}): ApiTokenSummary {
  const { id, name, hint, createdAt, lastUsedAt, revokedAt } = row;
  return { id, name, scope: toScope(row.scope), hint, createdAt, lastUsedAt, revokedAt };
}
