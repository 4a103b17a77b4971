import { z } from "zod";

/** A price distance: fixed points, a percent of the reference price, or a multiple of ATR. */
export const distanceSchema = z.union([
  z.object({ points: z.number().positive() }).strict(),
  z.object({ percent: z.number().positive() }).strict(),
  z.object({ atr: z.number().positive() }).strict(),
]);

export type Distance = z.infer<typeof distanceSchema>;

/** The distance in price units; NaN when it needs an ATR that is not ready yet. */
export function resolveDistance(distance: Distance, referencePrice: number, atr: number): number {
  if ("points" in distance) return distance.points;
  if ("percent" in distance) return (referencePrice * distance.percent) / 100;
  return distance.atr * atr;
}

export function needsAtr(distance: Distance): boolean {
  return "atr" in distance;
}

/** A distance that needs no indicator: points or percent. */
export const fixedDistanceSchema = z.union([
  z.object({ points: z.number().min(0) }).strict(),
  z.object({ percent: z.number().min(0) }).strict(),
]);
