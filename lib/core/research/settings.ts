import { z } from "zod";
import { sizingSchema } from "../engine/sizing";
import { perShareCommission, percentCommission, zeroCommission, type CommissionModel } from "../model/commission";
import { defineInstrument } from "../model/instrument";
import type { RunSettings } from "./evaluation";

/** Backtest settings as plain data, so a job and a worker thread can carry them. */
export const runSettingsSchema = z.object({
  /** Overrides of the series' own symbol and time zone; the tick size defaults to 0.01. */
  instrument: z
    .object({ symbol: z.string().min(1).optional(), timeZone: z.string().min(1).optional(), tickSize: z.union([z.number(), z.string()]).optional() })
    .default({}),
  initialCapital: z.number().positive("initialCapital must be positive").default(100_000),
  fill: z.enum(["close", "next-open"]).default("close"),
  slippageBps: z.number().min(0, "slippageBps must be >= 0").default(0),
  commission: z
    .union([z.enum(["zero", "ibkr-fixed"]), z.object({ percent: z.number().min(0).max(0.1, "commission percent is a fraction, at most 0.1") })])
    .default("zero"),
  sizing: sizingSchema.default({ kind: "all-in" }),
  fractional: z.boolean().default(false),
});

export type RunSettingsSpec = z.input<typeof runSettingsSchema>;

function commissionFrom(spec: z.output<typeof runSettingsSchema>["commission"]): CommissionModel {
  if (spec === "zero") return zeroCommission;
  if (spec === "ibkr-fixed") return perShareCommission();
  return percentCommission(spec.percent);
}

/** Builds the engine's settings for a series' symbol and time zone unless the spec names others. */
export function buildRunSettings(spec: RunSettingsSpec, series: { symbol: string; timeZone: string }): RunSettings {
  const parsed = runSettingsSchema.parse(spec);
  return {
    instrument: defineInstrument({
      symbol: parsed.instrument.symbol ?? series.symbol,
      timeZone: parsed.instrument.timeZone ?? series.timeZone,
      ...(parsed.instrument.tickSize === undefined ? {} : { tickSize: parsed.instrument.tickSize }),
    }),
    initialCapital: parsed.initialCapital,
    fill: parsed.fill,
    slippageBps: parsed.slippageBps,
    commission: commissionFrom(parsed.commission),
    sizing: parsed.sizing,
    fractional: parsed.fractional,
  };
}
