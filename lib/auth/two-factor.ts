import { randomBytes } from "node:crypto";
import { auditAuth, type AuthDeps, type RequestMeta } from "./deps";
import { badRequest, conflict } from "./errors";
import type { Principal } from "./principal";
import { isSealed } from "@/lib/adapters/secret-box";
import { sha256Hex } from "./secrets";
import { base32Encode, matchTotpStep, newTotpSecret, otpauthUri } from "./totp";

export const RECOVERY_CODE_COUNT = 10;
const ISSUER = "Kestrel";

export interface TotpEnrolment {
  secret: string;
  uri: string;
}

export interface TwoFactorStatus {
  enabled: boolean;
  pending: boolean;
  recoveryCodesLeft: number;
}

/** 80 random bits each, shown once as xxxx-xxxx-xxxx-xxxx; only their sha256 is kept. */
export function newRecoveryCode(): string {
  return base32Encode(randomBytes(10)).toLowerCase().match(/.{4}/g)!.join("-");
}

const normalizeRecoveryCode = (code: string) => code.toLowerCase().replace(/[^a-z2-7]/g, "");

/** Optional TOTP second factor: enrol, confirm, disable, recovery codes, and the sign-in check. */
export class TwoFactor {
  constructor(private readonly deps: AuthDeps) {}

  async status(userId: string): Promise<TwoFactorStatus> {
    const user = await this.deps.prisma.user.findUniqueOrThrow({ where: { id: userId } });
    const recoveryCodesLeft = await this.deps.prisma.recoveryCode.count({ where: { userId, usedAt: null } });
    return { enabled: user.totpSecret !== null, pending: user.totpPendingSecret !== null, recoveryCodesLeft };
  }

  /** A new secret waits as "pending" until a code from it proves the app has it. */
  async begin(principal: Principal): Promise<TotpEnrolment> {
    const user = await this.deps.prisma.user.findUniqueOrThrow({ where: { id: principal.userId } });
    if (user.totpSecret) throw conflict("Two-factor sign-in is already on; turn it off first to enrol a new device.");
    const secret = newTotpSecret();
    await this.deps.prisma.user.update({ where: { id: user.id }, data: { totpPendingSecret: this.stored(secret) } });
    return { secret, uri: otpauthUri(ISSUER, user.username, secret) };
  }

  /** Turns TOTP on with the pending secret and returns 10 fresh recovery codes (shown once). */
  async confirm(principal: Principal, code: string, meta: RequestMeta): Promise<string[]> {
    const user = await this.deps.prisma.user.findUniqueOrThrow({ where: { id: principal.userId } });
    if (!user.totpPendingSecret) throw conflict("Start the enrolment first: no authenticator secret is waiting for confirmation.");
    const pending = this.revealed(user.totpPendingSecret, user.username);
    if (pending === null) throw conflict("The authenticator secret waiting for confirmation cannot be read with this KESTREL_SECRET_KEY; start the enrolment again.");
    const step = matchTotpStep(pending, code, this.deps.now());
    if (step === null) {
      await auditAuth(this.deps, meta, { actor: principal.username, action: "auth.totp_enable", result: "failed" });
      throw badRequest("code: that code does not match; check the time on your phone and try the next code.");
    }
    const codes = await this.deps.prisma.$transaction(async (tx) => {
      await tx.user.update({
        where: { id: user.id },
        data: { totpSecret: user.totpPendingSecret, totpPendingSecret: null, totpLastStep: BigInt(step) },
      });
      return this.replaceRecoveryCodes(tx, user.id);
    });
    await auditAuth(this.deps, meta, { actor: principal.username, action: "auth.totp_enable", result: "ok" });
    return codes;
  }

  async disable(principal: Principal, meta: RequestMeta): Promise<void> {
    await this.deps.prisma.$transaction([
      this.deps.prisma.user.update({
        where: { id: principal.userId },
        data: { totpSecret: null, totpPendingSecret: null, totpLastStep: null },
      }),
      this.deps.prisma.recoveryCode.deleteMany({ where: { userId: principal.userId } }),
    ]);
    await auditAuth(this.deps, meta, { actor: principal.username, action: "auth.totp_disable", result: "ok" });
  }

  async regenerateRecoveryCodes(principal: Principal, meta: RequestMeta): Promise<string[]> {
    const user = await this.deps.prisma.user.findUniqueOrThrow({ where: { id: principal.userId } });
    if (!user.totpSecret) throw conflict("Recovery codes belong to two-factor sign-in; turn it on first.");
    const codes = await this.deps.prisma.$transaction((tx) => this.replaceRecoveryCodes(tx, user.id));
    await auditAuth(this.deps, meta, { actor: principal.username, action: "auth.recovery_codes_regenerate", result: "ok" });
    return codes;
  }

  /**
   * The sign-in check: a TOTP code newer than the last one used, or an unused recovery code.
   * Both are consumed atomically, so a code replayed in parallel still works only once.
   */
  async verify(user: { id: string; username: string; totpSecret: string }, code: string, meta: RequestMeta): Promise<boolean> {
    if (/^\d{6}$/.test(code)) {
      const secret = this.revealed(user.totpSecret, user.username);
      const step = secret === null ? null : matchTotpStep(secret, code, this.deps.now());
      if (step === null) return false;
      const consumed = await this.deps.prisma.user.updateMany({
        where: { id: user.id, OR: [{ totpLastStep: null }, { totpLastStep: { lt: BigInt(step) } }] },
        data: { totpLastStep: BigInt(step) },
      });
      return consumed.count === 1;
    }
    const consumed = await this.deps.prisma.recoveryCode.updateMany({
      where: { userId: user.id, codeHash: sha256Hex(normalizeRecoveryCode(code)), usedAt: null },
      data: { usedAt: new Date(this.deps.now()) },
    });
    if (consumed.count === 1) {
      await auditAuth(this.deps, meta, { actor: user.username, action: "auth.recovery_code_use", result: "ok" });
    }
    return consumed.count === 1;
  }

  /**
   * Seals the TOTP secrets stored before KESTREL_SECRET_KEY was set, and logs (by username) the
   * sealed ones this key cannot open: those users sign in with a recovery code and enrol again.
   * Without a key it only reports sealed secrets it cannot use. Run once at start.
   */
  async sealStoredSecrets(): Promise<void> {
    const users = await this.deps.prisma.user.findMany({
      where: { OR: [{ totpSecret: { not: null } }, { totpPendingSecret: { not: null } }] },
      select: { id: true, username: true, totpSecret: true, totpPendingSecret: true },
    });
    let sealed = 0;
    for (const user of users) {
      for (const stored of [user.totpSecret, user.totpPendingSecret]) if (stored !== null) this.revealed(stored, user.username);
      if (await this.sealRow(user)) sealed++;
    }
    if (sealed > 0) this.deps.log.info({ users: sealed }, "sealed two-factor secrets stored before KESTREL_SECRET_KEY was set");
  }

  /** Seals a user's secrets stored in clear; true when the row was changed. */
  private async sealRow(user: { id: string; totpSecret: string | null; totpPendingSecret: string | null }): Promise<boolean> {
    const { secretBox, prisma } = this.deps;
    if (!secretBox) return false;
    const seal = (stored: string | null) => (stored === null || isSealed(stored) ? stored : secretBox.seal(stored));
    const data = { totpSecret: seal(user.totpSecret), totpPendingSecret: seal(user.totpPendingSecret) };
    if (data.totpSecret === user.totpSecret && data.totpPendingSecret === user.totpPendingSecret) return false;
    // Only if nothing changed the row meanwhile (an enrolment in another process).
    const { count } = await prisma.user.updateMany({ where: { id: user.id, totpSecret: user.totpSecret, totpPendingSecret: user.totpPendingSecret }, data });
    return count === 1;
  }

  /** A secret as it is stored: sealed when a key is set. */
  private stored(secret: string): string {
    return this.deps.secretBox?.seal(secret) ?? secret;
  }

  /** The secret behind a stored one, or null (logged, with the reason) when it is sealed and cannot be opened. */
  private revealed(stored: string, username: string): string | null {
    if (!isSealed(stored)) return stored;
    const { secretBox, log } = this.deps;
    if (!secretBox) {
      log.error({ username }, "a two-factor secret is sealed but KESTREL_SECRET_KEY is not set: TOTP codes fail, recovery codes still work");
      return null;
    }
    try {
      return secretBox.open(stored);
    } catch (error) {
      log.error({ username, reason: error instanceof Error ? error.message : String(error) }, "a two-factor secret cannot be opened: TOTP codes fail, recovery codes still work");
      return null;
    }
  }

  private async replaceRecoveryCodes(
    tx: Pick<AuthDeps["prisma"], "recoveryCode">,
    userId: string,
  ): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await tx.recoveryCode.deleteMany({ where: { userId } });
    await tx.recoveryCode.createMany({
      data: codes.map((code) => ({ userId, codeHash: sha256Hex(normalizeRecoveryCode(code)) })),
    });
    return codes;
  }
}
