import type { Bar } from "../data/bars";
import type { Strategy, StrategyContext } from "../strategies/types";

/** The passive baseline: buy on the first bar and hold to the end. */
export class BuyAndHold implements Strategy {
  readonly name = "buy-and-hold";
  onBar(_bar: Readonly<Bar>, context: StrategyContext): void {
    if (context.position === 0 && !context.entryPending) context.submit({ kind: "enter", direction: "long", reason: "buy and hold" });
  }
}
