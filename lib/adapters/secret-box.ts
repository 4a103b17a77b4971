import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const VERSION = "v1";

/** Whether a stored value is sealed (the v1 format); base32 TOTP secrets and URLs never start so. */
export function isSealed(stored: string): boolean {
  return stored.startsWith(`${VERSION}.`);
}

/**
 * AES-256-GCM for secrets kept in the database (the Discord webhook and bot token, TOTP secrets).
 * The key is the sha256 of KESTREL_SECRET_KEY, so any long random string works; the stored form
 * is "v1.<iv>.<tag>.<ciphertext>" in base64url.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    if (secretKey.length < 32) throw new Error("KESTREL_SECRET_KEY must be at least 32 characters");
    this.key = createHash("sha256").update(secretKey, "utf8").digest();
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
  }

  open(sealed: string): string {
    const [version, iv, tag, ciphertext] = sealed.split(".");
    if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error("stored secret is not in the v1 format");
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    try {
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new Error("stored secret cannot be decrypted: KESTREL_SECRET_KEY differs from the one it was saved with");
    }
  }
}
