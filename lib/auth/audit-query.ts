import { z } from "zod";
import { AUDIT_PAGE_MAX } from "@/lib/services/audit";

const DAY_MS = 24 * 60 * 60_000;

/** A date (a whole UTC day) or an ISO date-time with an offset. */
const instant = () =>
  z
    .string("must be text")
    .max(40, "is longer than 40 characters")
    .refine((value) => z.iso.date().safeParse(value).success || z.iso.datetime({ offset: true }).safeParse(value).success, {
      message: "is a date (2026-11-21) or a date-time (2026-11-21T14:30:00Z)",
    });

const isDateOnly = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value);

/** Query string of GET /api/audit; `to` as a date includes that whole day. */
export const auditQuery = z
  .strictObject({
    from: instant().transform((value) => new Date(value)).optional(),
    to: instant()
      .transform((value) => new Date(new Date(value).getTime() + (isDateOnly(value) ? DAY_MS : 0)))
      .optional(),
    limit: z.coerce
      .number("must be a number")
      .int("must be a whole number")
      .min(1, "is at least 1")
      .max(AUDIT_PAGE_MAX, `is at most ${AUDIT_PAGE_MAX}`)
      .optional(),
    cursor: z.string().regex(/^\d{1,19}$/, "is the nextCursor of the previous page").optional(),
    format: z.enum(["json", "csv"], "is json or csv").default("json"),
  })
  .refine((query) => !query.from || !query.to || query.from < query.to, { message: "must be before to", path: ["from"] });

export function auditQueryFrom(url: string): unknown {
  return Object.fromEntries(new URL(url).searchParams);
}
