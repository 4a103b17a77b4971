import { SimulatedBroker } from "@/lib/core/backtest/simulated-broker";
import type { CommissionModel } from "@/lib/core/model/commission";
import type { Instrument } from "@/lib/core/model/instrument";
import type { Clock, Tick } from "@/lib/core/ports";
import type { EngineBroker } from "@/lib/services/engine-broker";

export interface PaperBrokerOptions {
  clock: Clock;
  commission: CommissionModel;
  /** Adverse slippage on market and stop fills, in basis points. */
  slippageBps?: number;
}

/**
 * BROKER=paper: the core's simulated broker, fed with live prices. Every print is a one-price
 * bar, so an order decided on one print fills on a later one (at its price, or at the limit or
 * stop it touched) and never on the print it was decided on.
 */
export function paperBroker(instrument: Instrument, options: PaperBrokerOptions): EngineBroker {
  const simulated = new SimulatedBroker({ instrument, fill: "next-open", slippageBps: options.slippageBps ?? 0, commission: options.commission, clock: options.clock });
  return {
    nextOrderId: () => simulated.nextOrderId(),
    submit: (order) => simulated.submit(order),
    modify: (orderId, changes) => simulated.modify(orderId, changes),
    cancel: (orderId) => simulated.cancel(orderId),
    cancelAll: () => simulated.cancelAll(),
    onEvent: (listener) => simulated.onEvent(listener),
    beforePrice: (tick: Tick) => simulated.beginBar({ time: tick.time, open: tick.price, high: tick.price, low: tick.price, close: tick.price, volume: tick.size }),
    afterPrice: () => simulated.endBar(),
  };
}
