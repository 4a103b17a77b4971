import type { EventEmitter } from "node:events";
import type { Logger } from "pino";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { recordAudit } from "@/lib/services/audit";
import type { Principal, Role } from "./principal";
import type { SecretBox } from "@/lib/adapters/secret-box";

export interface AuthEvents {
  sessionRevoked: [sessionId: string, userId: string];
}

/** What every part of the auth service shares. */
export interface AuthDeps {
  prisma: PrismaClient;
  log: Logger;
  now: () => number;
  events: EventEmitter<AuthEvents>;
  /** Seals TOTP secrets in the database; absent without KESTREL_SECRET_KEY (they are then stored as they are). */
  secretBox?: SecretBox;
}

/** Where a request came from, for the audit log and the sign-in throttle. */
export interface RequestMeta {
  ip: string | null;
  userAgent?: string | null;
}

export interface AuthAuditEvent {
  actor: string;
  action: string;
  result: "ok" | "denied" | "failed";
  details?: Record<string, unknown>;
  via?: Principal["via"] | "system";
}

const AUDIT_SOURCE = { session: "web", token: "api", system: "system" } as const;

/**
 * Auth events go to the log and the audit log. Secrets never travel in an event, so neither can
 * leak them; a failing audit write is logged, never hidden, never fatal.
 */
export async function auditAuth(deps: AuthDeps, meta: RequestMeta, event: AuthAuditEvent): Promise<void> {
  deps.log.info({ action: event.action, actor: event.actor, result: event.result, ip: meta.ip, ...event.details }, "auth event");
  try {
    await recordAudit(deps.prisma, {
      actor: event.actor,
      source: AUDIT_SOURCE[event.via ?? "session"],
      action: event.action,
      ip: meta.ip,
      result: event.result,
      details: event.details,
    });
  } catch (error) {
    deps.log.error({ err: error, action: event.action }, "could not write the audit log");
  }
}

export function parseRole(value: string): Role {
  if (value === "owner" || value === "viewer") return value;
  throw new Error(`unknown role "${value}" in the users table`);
}
