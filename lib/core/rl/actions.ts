import type { StrategyContext } from "../strategies/types";

/** The agent's discrete actions. Long-only: sell closes the long. */
export const Action = { hold: 0, buy: 1, sell: 2 } as const;
export type ActionId = (typeof Action)[keyof typeof Action];
export const ACTION_COUNT = 3;

/** Turns an action into an engine intent; returns true when it asks for a trade. */
export function submitAction(action: number, context: StrategyContext, reason: string): boolean {
  if (action === Action.buy && context.position === 0 && !context.entryPending) {
    context.submit({ kind: "enter", direction: "long", reason });
    return true;
  }
  if (action === Action.sell && context.position > 0) {
    context.submit({ kind: "exit", reason });
    return true;
  }
  return false;
}
