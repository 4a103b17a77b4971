import type { WorkingOrder } from "@/lib/adapters/db/instance-holdings";
import type { Bar } from "@/lib/core/data/bars";
import type { BrokerPort, Tick } from "@/lib/core/ports";

/** A broker port for one engine, with optional hooks a simulated broker needs around each price. */
export interface EngineBroker extends BrokerPort {
  /** Called with every price before the engine sees it (a paper broker fills resting orders here). */
  beforePrice?(tick: Tick): void;
  afterPrice?(): void;
  /** Called with every bar before the engine sees it. */
  beforeBar?(bar: Bar): void;
  dispose?(): void;
  /** Follows an order an earlier process left working (after a restart); brokers that cannot, start their engines flat. */
  adopt?(order: WorkingOrder): void;
}
