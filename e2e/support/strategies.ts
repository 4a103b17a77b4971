/**
 * The strategy instance the end-to-end server is seeded with, beside the first-start default:
 * a fast moving-average cross on SPY with one-second bars, so it wants to enter within seconds
 * of being started. Paused until a spec starts it, and paused again when that spec is done.
 */
export const E2E_FAST_STRATEGY = {
  id: "e2e-ma-cross-spy",
  strategy: "ma-cross",
  label: "Fast MA cross on SPY (1 s bars)",
  symbols: ["SPY"],
  parameters: { fast: 2, slow: 3, mode: "state", longOnly: true },
  state: "paused",
  barSeconds: 1,
  riskPercent: 1,
  maxCyclesPerDay: 20,
} as const;
