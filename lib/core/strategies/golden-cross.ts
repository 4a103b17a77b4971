import { z } from "zod";
import { MovingAverageCross, crossModeSchema } from "./moving-average-cross";

export const goldenCrossSchema = z
  .object({
    fast: z.number().int().positive().default(50),
    slow: z.number().int().positive().default(200),
    mode: crossModeSchema.default("state"),
    longOnly: z.boolean().default(true),
  })
  .refine((params) => params.fast < params.slow, { message: "fast must be shorter than slow", path: ["fast"] });

export type GoldenCrossParams = z.input<typeof goldenCrossSchema>;

/** The classic 50/200-day simple moving-average cross. */
export function createGoldenCross(params: GoldenCrossParams = {}): MovingAverageCross {
  return new MovingAverageCross("golden-cross", { ...goldenCrossSchema.parse(params), average: "sma" });
}
