import { z } from "zod";
import { decimalOf, type Dec } from "./decimal";

const positiveIncrement = z
  .union([z.number(), z.string()])
  .refine((value) => Number.isFinite(Number(value)) && Number(value) > 0, "must be a positive number");

export const instrumentSpecSchema = z.object({
  symbol: z.string().min(1, "symbol is required"),
  conId: z.number().int().positive().optional(),
  isin: z
    .string()
    .regex(/^[A-Z]{2}[A-Z0-9]{9}[0-9]$/, "ISIN must be 2 letters, 9 alphanumerics and a check digit")
    .optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, "currency must be a 3-letter ISO code").default("USD"),
  exchange: z.string().min(1).default("SMART"),
  timeZone: z.string().min(1).default("America/New_York"),
  tickSize: positiveIncrement.default("0.01"),
  lotSize: positiveIncrement.default("1"),
});

export type InstrumentSpec = z.input<typeof instrumentSpecSchema>;

/** A tradable contract and the increments its prices and quantities must respect. */
export interface Instrument {
  readonly symbol: string;
  readonly conId?: number;
  readonly isin?: string;
  readonly currency: string;
  readonly exchange: string;
  /** IANA zone of the exchange: sessions and "end of day" are read in it. */
  readonly timeZone: string;
  readonly tickSize: Dec;
  readonly lotSize: Dec;
}

/** Validates a spec (throwing a ZodError that names the bad field) and builds the instrument. */
export function defineInstrument(spec: InstrumentSpec): Instrument {
  const parsed = instrumentSpecSchema.parse(spec);
  return {
    ...parsed,
    tickSize: decimalOf(parsed.tickSize),
    lotSize: decimalOf(parsed.lotSize),
  };
}
