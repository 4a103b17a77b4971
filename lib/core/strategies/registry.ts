import { z } from "zod";
import { goldenCrossSchema, createGoldenCross } from "./golden-cross";
import { maCrossSchema, createMaCross } from "./ma-cross";
import { RlPolicyStrategy, rlPolicySchema } from "../rl/policy-strategy";
import { RsiVwapReversal, rsiVwapSchema } from "./rsi-vwap";
import type { Strategy } from "./types";

export interface StrategyDefinition<Schema extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly description: string;
  /** Validates and fills defaults; its errors name the bad parameter. */
  readonly parameters: Schema;
  create(parameters: z.input<Schema>): Strategy;
}

function define<Schema extends z.ZodType>(definition: StrategyDefinition<Schema>): StrategyDefinition<Schema> {
  return definition;
}

/** Every strategy the bot knows, by the name the CLI, the dashboard and the live engine use. */
export const strategyRegistry = {
  "golden-cross": define({
    name: "golden-cross",
    description: "Long while the 50-day SMA is above the 200-day SMA (or on their crossings)",
    parameters: goldenCrossSchema,
    create: createGoldenCross,
  }),
  "ma-cross": define({
    name: "ma-cross",
    description: "Fast/slow moving-average crossover, SMA or EMA, 10/30 by default",
    parameters: maCrossSchema,
    create: createMaCross,
  }),
  "rsi-vwap": define({
    name: "rsi-vwap",
    description: "Intraday reversal: RSI extremes outside the rolling VWAP bands, bracketed, flat at session end",
    parameters: rsiVwapSchema,
    create: (parameters) => new RsiVwapReversal(parameters),
  }),
  "rl-policy": define({
    name: "rl-policy",
    description: "A trained PPO policy (see docs/rl.md): hold, buy or sell from 18 normalised indicator features",
    parameters: rlPolicySchema,
    create: (parameters) => new RlPolicyStrategy(parameters),
  }),
} as const;

export type StrategyName = keyof typeof strategyRegistry;

export const strategyNames = Object.keys(strategyRegistry) as StrategyName[];

export function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(strategyRegistry, name);
}

/** Builds a strategy by name from untrusted parameters, throwing a ZodError that names the bad one. */
export function createStrategy(name: string, parameters: unknown): Strategy {
  if (!isStrategyName(name)) throw new Error(`unknown strategy "${name}": choose one of ${strategyNames.join(", ")}`);
  const definition: StrategyDefinition = strategyRegistry[name];
  return definition.create(definition.parameters.parse(parameters));
}
