import { z } from "zod";
import { MovingAverageCross, crossModeSchema } from "./moving-average-cross";

export const maCrossSchema = z
  .object({
    fast: z.number().int().positive().default(10),
    slow: z.number().int().positive().default(30),
    mode: crossModeSchema.default("state"),
    longOnly: z.boolean().default(true),
    average: z.enum(["sma", "ema"]).default("sma"),
  })
  .refine((params) => params.fast < params.slow, { message: "fast must be shorter than slow", path: ["fast"] });

export type MaCrossParams = z.input<typeof maCrossSchema>;

/** Short-term moving-average crossover, 10/30 by default, SMA or EMA. */
export function createMaCross(params: MaCrossParams = {}): MovingAverageCross {
  return new MovingAverageCross("ma-cross", maCrossSchema.parse(params));
}
