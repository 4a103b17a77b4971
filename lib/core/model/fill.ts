import type { Side } from "./order";

/** One execution. `commission` is in the instrument's currency, never negative. */
export interface Fill {
  readonly orderId: number;
  readonly execId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: number;
  readonly price: number;
  readonly commission: number;
  /** Epoch ms, UTC. */
  readonly time: number;
}
