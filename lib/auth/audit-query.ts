import { z } from "zod";
import { AUDIT_PAGE_MAX } from "@/lib/services/audit";

const DAY_MS = 24 * 60 * 60_000;

/** A date (a whole UTC day) or an ISO date-time with an offset. */
const instant = (field: string) =>
  z
    .string(`${field} must be text`)
    .max(40, `${field} is longer than 40 characters`)
    .refine((value) => z.iso.date().safeParse(value).success || z.iso.datetime({ offset: true }).safeParse(value).success, {
      message: `${field} is a date (2026-11-21) or a date-time (2026-11-21T14:30:00Z)`,
    });

const isDateOnly = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value);

/** Query string of GET /api/audit; `to` as a date includes that whole day. */
export const auditQuery = z
  .strictObject({
    from: instant("from").transform((value) => new Date(value)).optional(),
    to: instant("to")
      .transform((value) => new Date(new Date(value).getTime() + (isDateOnly(value) ? DAY_MS : 0)))
      .optional(),
    limit: z.coerce
      .number("limit must be a number")
      .int("limit must be a whole number")
      .min(1, "limit is at least 1")
      .max(AUDIT_PAGE_MAX, `limit is at most ${AUDIT_PAGE_MAX}`)
      .optional(),
    cursor: z.string().regex(/^\d{1,19}$/, "cursor is the nextCursor of the previous page").optional(),
    format: z.enum(["json", "csv"], "format is json or csv").default("json"),
  })
  .refine((query) => !query.from || !query.to || query.from < query.to, { message: "from must be before to", path: ["from"] });

export function auditQueryFrom(url: string): unknown {
  return Object.fromEntries(new URL(url).searchParams);
}
