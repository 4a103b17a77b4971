export const ROLES = ["owner", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export type Permission = "read" | "trade" | "admin";

export const TOKEN_SCOPES = ["read", "trade"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Who is asking, and how they proved it. `sessionId` is the stored hash, never the cookie value. */
export interface Principal {
  userId: string;
  username: string;
  role: Role;
  sessionId?: string;
  tokenId?: string;
  /** Set for API tokens: a token never exceeds its scope, whatever its owner's role. */
  tokenScope?: TokenScope;
  via: "session" | "token";
}

/**
 * owner: everything; viewer: read only. An API token adds its own ceiling (read or trade) and
 * never administers: tokens, users and security settings need a signed-in owner.
 */
export function can(principal: Principal, permission: Permission): boolean {
  if (permission === "read") return true;
  if (principal.role !== "owner") return false;
  if (principal.via === "session") return true;
  return permission === "trade" && principal.tokenScope === "trade";
}

const PERMISSION_WORDS: Record<Permission, string> = {
  read: "view this",
  trade: "trade (flatten, halt, resume)",
  admin: "change settings, users or API tokens",
};

export function permissionDeniedMessage(principal: Principal, permission: Permission): string {
  if (principal.via === "token") {
    return `This API token (scope "${principal.tokenScope}") may not ${PERMISSION_WORDS[permission]}; ${
      permission === "admin" ? "sign in as the owner instead" : "create a token with the trade scope"
    }.`;
  }
  return `The ${principal.role} role may not ${PERMISSION_WORDS[permission]}; ask the owner.`;
}
