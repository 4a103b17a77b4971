import { isStrategyName, strategyRegistry } from "@/lib/core/strategies/registry";

/** A strategy's parameters with its schema's defaults filled in, so every field can be edited. */
export function withDefaults(strategy: string, parameters: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  if (!isStrategyName(strategy)) return { ...parameters };
  const parsed = strategyRegistry[strategy].parameters.safeParse(parameters);
  const defaults = strategyRegistry[strategy].parameters.safeParse({});
  return { ...(defaults.success ? (defaults.data as Record<string, unknown>) : {}), ...(parsed.success ? (parsed.data as Record<string, unknown>) : {}), ...parameters };
}
