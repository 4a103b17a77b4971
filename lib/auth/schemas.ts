import { z } from "zod";
import { TOKEN_SCOPES } from "./principal";

/** Lower-cased, so "Owner" and "owner" are one account. */
export const username = z
  .string("must be text")
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{1,31}$/, "is 2-32 characters: letters, digits, dot, dash or underscore, starting with a letter or digit");

export const PASSWORD_MIN = 12;
/** argon2 hashes anything, but a megabyte password is an attack on the CPU, not a password. */
export const PASSWORD_MAX = 256;

/** Any characters (unicode included, NFC-normalised so the same password typed on two keyboards matches). */
export const newPassword = z
  .string("must be text")
  .min(PASSWORD_MIN, `needs at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `is longer than ${PASSWORD_MAX} characters`)
  .transform((value) => value.normalize("NFC"));

/** At sign-in no length rule applies except the upper bound: a wrong password is simply wrong. */
export const givenPassword = z
  .string("must be text")
  .min(1, "is empty")
  .max(PASSWORD_MAX, `is longer than ${PASSWORD_MAX} characters`)
  .transform((value) => value.normalize("NFC"));

/** A 6-digit authenticator code or a recovery code (xxxx-xxxx-xxxx-xxxx). */
export const secondFactorCode = z
  .string("must be text")
  .trim()
  .toLowerCase()
  .regex(
    /^(\d{6}|[a-z2-7]{4}(-?[a-z2-7]{4}){3})$/,
    "is the 6 digits from your authenticator app, or a recovery code like abcd-efgh-ijkl-mnop",
  );

export const totpCode = z.string("must be text").trim().regex(/^\d{6}$/, "is the 6 digits from your authenticator app");

export const linkToken = z.string("must be text").regex(/^[A-Za-z0-9_-]{43}$/, "is not a valid link token (copy the whole link)");

export const loginInput = z.strictObject({
  username,
  password: givenPassword,
  /** Browsers send an empty field when the code input is shown but left empty. */
  code: z.preprocess((value) => (value === "" ? undefined : value), secondFactorCode.optional()),
  /** Where a form post (before the page's script has loaded) goes back to. */
  next: z.string().max(512, "is longer than 512 characters").optional(),
});

export const changePasswordInput = z.strictObject({ currentPassword: givenPassword, newPassword });

export const acceptInviteInput = z.strictObject({ token: linkToken, username, password: newPassword });

export const setupInput = z.strictObject({ token: linkToken, username: username.optional(), password: newPassword });

export const passwordConfirmation = z.strictObject({ password: givenPassword });

export const confirmTotpInput = z.strictObject({ code: totpCode });

export const createTokenInput = z.strictObject({
  name: z
    .string("must be text")
    .trim()
    .min(1, "is empty")
    .max(60, "is longer than 60 characters")
    .regex(/^[\p{L}\p{N} ._:/()-]+$/u, "may hold letters, digits, spaces and . _ : / ( ) -"),
  scope: z.enum(TOKEN_SCOPES, `is one of: ${TOKEN_SCOPES.join(", ")}`),
});

export const idParams = z.object({ id: z.uuid("is not a valid id") });
