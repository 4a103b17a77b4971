import { HttpError } from "@/lib/auth";
import type { AppServices } from "@/lib/runtime/context";
import type { InvalidStrategyParameters, StrategyDirectory } from "@/lib/services/strategy-directory";
import { optionalServices } from "@/app/components/app-services";

export function directoryOf(services: AppServices): StrategyDirectory {
  const directory = optionalServices(services).strategies;
  if (!directory) throw new HttpError(503, "strategies_unavailable", "The strategy runner is not running on this server.");
  return directory;
}

/** Unknown ids become 404s and schema failures 400s that name each field. */
export async function strategyCall<T>(id: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isInvalidParameters(error)) {
      throw new HttpError(400, "invalid_parameters", error.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; "));
    }
    if (error instanceof Error && /unknown|not found|no strategy/i.test(error.message)) throw new HttpError(404, "not_found", `No strategy instance "${id}".`);
    throw error;
  }
}

/** By name, not instanceof: the runner is built by server.ts, outside the route's bundle, so the class differs. */
function isInvalidParameters(error: unknown): error is InvalidStrategyParameters {
  return error instanceof Error && error.name === "InvalidStrategyParameters" && Array.isArray((error as { issues?: unknown }).issues);
}
