import { describe, expect, it } from "vitest";
import { base32Decode, base32Encode, hotp, matchTotpStep, newTotpSecret, otpauthUri, totp, type HotpAlgorithm } from "./totp";

// RFC 4226 appendix D: HOTP values for the ASCII secret "12345678901234567890".
const RFC4226_SECRET = Buffer.from("12345678901234567890", "ascii");
const RFC4226_CODES = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];

// RFC 6238 appendix B: 8-digit TOTP values, 30 s steps, one seed per hash function.
const RFC6238_SEEDS: Record<HotpAlgorithm, Buffer> = {
  sha1: Buffer.from("12345678901234567890", "ascii"),
  sha256: Buffer.from("12345678901234567890123456789012", "ascii"),
  sha512: Buffer.from("1234567890123456789012345678901234567890123456789012345678901234", "ascii"),
};
const RFC6238_VECTORS: [seconds: number, sha1: string, sha256: string, sha512: string][] = [
  [59, "94287082", "46119246", "90693936"],
  [1111111109, "07081804", "68084774", "25091201"],
  [1111111111, "14050471", "67062674", "99943326"],
  [1234567890, "89005924", "91819424", "93441116"],
  [2000000000, "69279037", "90698825", "38618901"],
  [20000000000, "65353130", "77737706", "47863826"],
];

describe("HOTP (RFC 4226)", () => {
  it.each(RFC4226_CODES.map((code, counter) => [counter, code] as const))("counter %i gives %s", (counter, code) => {
    expect(hotp(RFC4226_SECRET, counter)).toBe(code);
  });
});

describe("TOTP (RFC 6238)", () => {
  for (const [seconds, ...codes] of RFC6238_VECTORS) {
    (["sha1", "sha256", "sha512"] as const).forEach((algorithm, index) => {
      it(`${algorithm} at T=${seconds}s gives ${codes[index]}`, () => {
        expect(totp(RFC6238_SEEDS[algorithm], seconds * 1000, { digits: 8, algorithm })).toBe(codes[index]);
      });
    });
  }
});

describe("matchTotpStep", () => {
  const secret = base32Encode(RFC6238_SEEDS.sha1);
  const at = 1_111_111_111_000;
  const step = Math.floor(at / 30_000);
  const codeAt = (s: number) => hotp(RFC6238_SEEDS.sha1, s);

  it("accepts the current step and one step either side, and says which", () => {
    expect(matchTotpStep(secret, codeAt(step), at)).toBe(step);
    expect(matchTotpStep(secret, codeAt(step - 1), at)).toBe(step - 1);
    expect(matchTotpStep(secret, codeAt(step + 1), at)).toBe(step + 1);
  });

  it("refuses codes two steps away, malformed codes and wrong codes", () => {
    expect(matchTotpStep(secret, codeAt(step - 2), at)).toBeNull();
    expect(matchTotpStep(secret, codeAt(step + 2), at)).toBeNull();
    expect(matchTotpStep(secret, "12345", at)).toBeNull();
    expect(matchTotpStep(secret, "12345a", at)).toBeNull();
    const wrong = String((Number(codeAt(step)) + 1) % 1_000_000).padStart(6, "0");
    expect(matchTotpStep(secret, wrong, at)).toBeNull();
  });
});

describe("base32", () => {
  it("encodes the RFC 4648 test vectors", () => {
    const vectors: [string, string][] = [["", ""], ["f", "MY"], ["fo", "MZXQ"], ["foo", "MZXW6"], ["foob", "MZXW6YQ"], ["fooba", "MZXW6YTB"], ["foobar", "MZXW6YTBOI"]];
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(encoded).toString()).toBe(plain);
    }
  });

  it("round-trips a new secret of 160 bits and tolerates spaces and lower case", () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const spaced = secret.toLowerCase().replace(/(.{4})/g, "$1 ");
    expect(base32Decode(spaced).equals(base32Decode(secret))).toBe(true);
    expect(() => base32Decode("MZ1W")).toThrow(/"1"/);
  });
});

it("builds an otpauth URI with issuer, label and parameters", () => {
  const uri = new URL(otpauthUri("Kestrel", "owner@desk", "JBSWY3DPEHPK3PXP"));
  expect(uri.protocol).toBe("otpauth:");
  expect(uri.host).toBe("totp");
  expect(decodeURIComponent(uri.pathname)).toBe("/Kestrel:owner@desk");
  expect(Object.fromEntries(uri.searchParams)).toEqual({
    secret: "JBSWY3DPEHPK3PXP",
    issuer: "Kestrel",
    algorithm: "SHA1",
    digits: "6",
    period: "30",
  });
});
