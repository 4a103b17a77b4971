import { getAppContext, type AppServices } from "@/lib/runtime/context";
import type { TradingControls } from "@/lib/services/controls";
import type { RiskOverview } from "@/lib/services/risk-overview";
import type { StrategyDirectory } from "@/lib/services/strategy-directory";

/**
 * Services other parts of Kestrel publish when they are wired in. The dashboard reads them
 * as optional so a page shows "not available" instead of failing while one is absent.
 */
export interface OptionalServices {
  controls?: TradingControls;
  risk?: RiskOverview;
  strategies?: StrategyDirectory;
}

export function optionalServices(services: AppServices = getAppContext().services): OptionalServices {
  const published = services as AppServices & OptionalServices;
  return { controls: published.controls, risk: published.risk, strategies: published.strategies };
}

/** paper or live from the running engine's configuration; null when no engine runs in this process. */
export function tradingMode(): "paper" | "live" | null {
  try {
    return getAppContext().env.TRADING_MODE;
  } catch {
    return null;
  }
}
