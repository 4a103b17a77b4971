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

/** A strategy's recent bars on one symbol, with indicator lines and its own fills as markers. */
export interface StrategyChart {
  readonly id: string;
  readonly symbol: string;
  readonly barSeconds: number;
  /** Oldest first; `time` is the bar's start, epoch ms. */
  readonly bars: readonly { readonly time: number; readonly open: number; readonly high: number; readonly low: number; readonly close: number; readonly volume: number }[];
  /** One value per bar, null until the indicator is defined. */
  readonly overlays: readonly { readonly name: string; readonly values: readonly (number | null)[] }[];
  /** `time` is the start of the bar the fill falls in, so the marker sits on a candle. */
  readonly markers: readonly { readonly time: number; readonly side: "buy" | "sell"; readonly price: number; readonly quantity: number; readonly text: string }[];
}

/** The live strategies a trader can list, start, pause and re-parameterise. */
export interface StrategyDirectory {
  list(): readonly StrategyInstanceView[];
  setState(actor: Actor, id: string, state: StrategyRunState): Promise<StrategyInstanceView>;
  /** Validates against the strategy's schema; throws InvalidStrategyParameters when it fails. */
  updateParameters(actor: Actor, id: string, parameters: unknown): Promise<StrategyInstanceView>;
  /** Null when the instance is unknown or does not trade the symbol. */
  chart(id: string, symbol: string): Promise<StrategyChart | null>;
}
