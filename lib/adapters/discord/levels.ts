import { z } from "zod";

// Kept free of node: imports: the dashboard's settings form (a client component) uses these too.

export const ALERT_KINDS = ["fill", "setup", "denial", "guardian", "halt", "connection", "flatten", "daily-summary", "error"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const ALERT_LEVELS = ["off", "on", "silent"] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];
export type AlertLevels = Record<AlertKind, AlertLevel>;

export const DEFAULT_ALERT_LEVELS: AlertLevels = {
  fill: "on",
  setup: "on",
  denial: "silent",
  guardian: "on",
  halt: "on",
  connection: "on",
  flatten: "on",
  "daily-summary": "on",
  error: "silent",
};

/** Stored levels: unknown kinds are refused, missing kinds take the default. */
export const alertLevelsSchema = z
  .object(Object.fromEntries(ALERT_KINDS.map((kind) => [kind, z.enum(ALERT_LEVELS, `level of "${kind}" must be off, on or silent`).optional()])))
  .strict()
  .transform((levels) => ({ ...DEFAULT_ALERT_LEVELS, ...(levels as Partial<AlertLevels>) }));
