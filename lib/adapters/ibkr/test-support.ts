import type { ExchangeCalendar } from "@/lib/core/calendar";
import { startGatewaySimulator, type GatewaySimulator } from "@/lib/sim";
import { simulatorLedgerSource } from "@/lib/services/reports/broker-source";

export { startGatewaySimulator, type GatewaySimulator };

export function simulatorLedgerSourceFor(sim: GatewaySimulator, calendar: ExchangeCalendar) {
  return simulatorLedgerSource(() => sim.ledger(), calendar);
}
