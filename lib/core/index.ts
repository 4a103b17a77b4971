/** The pure trading core: everything here runs the same in backtest, paper and live. */
export * from "./model";
export * from "./ports";
export * from "./strategies";
export * from "./engine/engine";
export * from "./engine/sizing";
export * from "./engine/risk-gates";
export * from "./backtest";
