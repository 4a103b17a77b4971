import type { Actor } from "./controls";

export type StrategyRunState = "running" | "paused";

/** One configured strategy instance as the dashboard and Discord show it. */
export interface StrategyInstanceView {
  readonly id: string;
  /** Registry name: golden-cross, ma-cross, rsi-vwap, ... */
  readonly strategy: string;
  readonly label: string;
  readonly symbols: readonly string[];
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly state: StrategyRunState;
  /** Signed quantity per symbol this instance holds. */
  readonly positions: Readonly<Record<string, number>>;
  readonly realizedPnlToday: number;
  readonly lastSignal: { readonly time: string; readonly symbol: string; readonly text: string } | null;
}

/** Thrown when new parameters fail the strategy's schema; `issues` name each bad field. */
export class InvalidStrategyParameters extends Error {
  constructor(readonly issues: readonly { readonly path: string; readonly message: string }[]) {
    super(`invalid strategy parameters: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")}`);
    this.name = "InvalidStrategyParameters";
  }
}

/** The live strategies a trader can list, start, pause and re-parameterise. */
export interface StrategyDirectory {
  list(): readonly StrategyInstanceView[];
  setState(actor: Actor, id: string, state: StrategyRunState): Promise<StrategyInstanceView>;
  /** Validates against the strategy's schema; throws InvalidStrategyParameters when it fails. */
  updateParameters(actor: Actor, id: string, parameters: unknown): Promise<StrategyInstanceView>;
}
