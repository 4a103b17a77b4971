import { randomBytes } from "node:crypto";
import { auditAuth, type AuthDeps, type RequestMeta } from "./deps";
import { badRequest, conflict } from "./errors";
import type { Principal } from "./principal";
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
    await this.deps.prisma.user.update({ where: { id: user.id }, data: { totpPendingSecret: secret } });
    return { secret, uri: otpauthUri(ISSUER, user.username, secret) };
  }

  /** Turns TOTP on with the pending secret and returns 10 fresh recovery codes (shown once). */
  async confirm(principal: Principal, code: string, meta: RequestMeta): Promise<string[]> {
    const user = await this.deps.prisma.user.findUniqueOrThrow({ where: { id: principal.userId } });
    if (!user.totpPendingSecret) throw conflict("Start the enrolment first: no authenticator secret is waiting for confirmation.");
    const step = matchTotpStep(user.totpPendingSecret, code, this.deps.now());
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
      const step = matchTotpStep(user.totpSecret, code, this.deps.now());
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
