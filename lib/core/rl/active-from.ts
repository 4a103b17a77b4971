import type { Bar } from "../data/bars";
import type { Strategy, StrategyContext } from "../strategies/types";

/**
 * Shows a strategy every bar (so its indicators warm up on history) but drops its intents
 * before `from`: the way to score a held-out span that starts after the warm-up.
 */
export class ActiveFrom implements Strategy {
  readonly name: string;
  constructor(
    private readonly inner: Strategy,
    private readonly from: number,
  ) {
    this.name = inner.name;
  }

  onBar(bar: Readonly<Bar>, context: StrategyContext): void {
    this.inner.onBar(bar, bar.time >= this.from ? context : muted(context));
  }
}

function muted(context: StrategyContext): StrategyContext {
  return {
    symbol: context.symbol,
    position: context.position,
    entryPrice: context.entryPrice,
    stopPrice: context.stopPrice,
    entryPending: context.entryPending,
    now: () => context.now(),
    submit: () => undefined,
  };
}
